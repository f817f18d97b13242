// What a waiting caller hears when no music file is configured: a ringback tone (425 Hz, 1 s on, 4 s
// off, as Chinese networks play it), looped until an agent is offered. mod_tone_stream makes it, so
// media flows from the first second without any file in the image.
export const DEFAULT_MUSIC_ON_HOLD = 'tone_stream://%(1000,4000,425);loops=-1'
