#!/bin/sh
# A one-machine Slurm cluster on loopback, for trying slurm-array.sh and for its test:
#   slurm-local.sh start DIR   writes DIR/slurm.conf, starts slurmctld and slurmd (as root)
#   slurm-local.sh stop DIR    stops them
# Then: SLURM_CONF=DIR/slurm.conf sbatch … (the real cluster needs none of this).
# Needs Debian's slurmctld, slurmd and slurm-client. No munge: auth/none, loopback only.
set -eu
action=${1:?usage: slurm-local.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: slurm-local.sh start|stop DIR}" && cd "$2" && pwd)
conf=$dir/slurm.conf

case $action in
start)
    mkdir -p "$dir/spool" "$dir/state"
    node=$(hostname -s)
    cat > "$conf" <<CONF
ClusterName=local
SlurmctldHost=$node(127.0.0.1)
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
AuthType=auth/none
CredType=cred/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SwitchType=switch/none
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SlurmUser=root
SlurmdUser=root
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmdSpoolDir=$dir/spool
StateSaveLocation=$dir/state
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
CONF
    SLURM_CONF=$conf slurmctld -f "$conf" -i
    SLURM_CONF=$conf slurmd -f "$conf"
    # Ready when the node takes jobs.
    tries=0
    until SLURM_CONF=$conf sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; do
        tries=$((tries + 1))
        if [ $tries -gt 60 ]; then
            echo "slurm did not come up; logs in $dir" >&2
            exit 1
        fi
        sleep 1
    done
    echo "slurm up: SLURM_CONF=$conf"
    ;;
stop)
    for daemon in slurmd slurmctld; do
        if [ -f "$dir/$daemon.pid" ]; then kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true; fi
    done
    ;;
*)
    echo "usage: slurm-local.sh start|stop DIR" >&2
    exit 2
    ;;
esac
