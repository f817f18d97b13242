#!/bin/sh
# containerd's runc on the one-node cluster (its BinaryName). The kubelet asks for oom_score_adj -998 (and
# other negative values), and lowering it needs CAP_SYS_RESOURCE, which root lacks on our machines: runc
# then fails every sandbox with "can't get final child's PID from pipe: EOF". This rewrites a negative
# oomScoreAdj to 0 in the bundle's config.json (create, run) or an exec's process.json, then runs runc.
# The cost: OOM priorities are flat on this test node.
bundle= process=
prev=
for arg in "$@"; do
  case "$prev" in
    --bundle|-b) bundle=$arg ;;
    --process|-p) process=$arg ;;
  esac
  case "$arg" in
    --bundle=*) bundle=${arg#--bundle=} ;;
    --process=*) process=${arg#--process=} ;;
  esac
  prev=$arg
done
for file in "${bundle:+$bundle/config.json}" "$process"; do
  [ -n "$file" ] && [ -f "$file" ] && sed -i 's/"oomScoreAdj":-[0-9]*/"oomScoreAdj":0/' "$file"
done
exec /usr/sbin/runc "$@"
