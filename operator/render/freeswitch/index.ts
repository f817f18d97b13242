// FreeSWITCH 1.10 configuration of a Managed soft switch, rendered as pure functions of a few inputs:
//   freeswitch.xml + vars.xml          root document; pod IP and ESL password read from the environment
//   autoload_configs/modules.conf.xml  the modules (console, xml_curl, event_socket, commands, dptools, sofia, ...)
//   autoload_configs/switch.conf.xml   core settings: the RTP port range
//   autoload_configs/event_socket.conf.xml + acl.conf.xml
//                                      ESL on the pod IP, port 8021, only for the CTI bridge's addresses;
//                                      the password is a preprocessor variable, never in the config
//   autoload_configs/xml_curl.conf.xml directory binding to the login service's /v1/freeswitch/directory
//   autoload_configs/sofia.conf.xml    one SIP profile on the pod (node) IP; edges trusted by address
//   dialplan/callcenter.xml            every inbound call to the CTI bridge over an outbound event socket
// The result is a map of path -> content with sorted keys; the same input always gives the same bytes.
export { renderFreeswitchConfig, type FreeswitchConfigFiles } from './render.ts'
export {
  ACL,
  CHANNEL_VARIABLES,
  DIALPLAN_CONTEXT,
  FREESWITCH_ENV,
  SIP_PROFILE,
  SKILL_GROUP_HEADER,
  type FreeswitchConfigInput,
} from './input.ts'
