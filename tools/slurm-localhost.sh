#!/usr/bin/env bash
# Starts a single-node SLURM (Debian slurm-wlm) on this machine, without systemd, to run an experiment's
# experiment.sbatch for real: munged, slurmctld and slurmd as root, one partition with this host's cores.
# Usage: tools/slurm-localhost.sh   then: sbatch <experiment>/experiment.sbatch; squeue; mininet experiment aggregate <experiment>
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "slurm-localhost: run as root (it installs slurm-wlm and starts its daemons)" >&2; exit 2; }
command -v slurmctld >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm >/dev/null
host=$(hostname)
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
chown munge:munge /run/munge
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=mininet
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) RealMemory=$(( $(free -m | awk '/Mem:/ {print $2}') * 8 / 10 )) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
sleep 3
sinfo
