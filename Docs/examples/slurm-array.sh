#!/bin/bash
# Compress a shared tree of PNGs with 16 Slurm array tasks: each task does its own 1/16 of the files
# (aec-encode reads SLURM_ARRAY_TASK_ID and the array size from the environment). Re-submitting the
# same script after a failure redoes only what is missing (--skip-existing).
#SBATCH --job-name=aec-encode
#SBATCH --array=0-15
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=logs/aec-%A_%a.out

set -euo pipefail
aec-encode /shared/images -o /shared/images-aec \
    --skip-existing --jobs "$SLURM_CPUS_PER_TASK" --quiet \
    --report "/shared/reports/aec-$SLURM_ARRAY_JOB_ID-$SLURM_ARRAY_TASK_ID.jsonl"
