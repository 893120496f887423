"""Configurations per second of llm-analysis (pip install llm-analysis) on trainmem's bench sweep.

Runs llm_analysis.analysis.train on the first N points of Benchmarks/sweep-100k.yaml's axes
(LLaMA-7B on A100-80GB, DDP: micro_batch x sequence x gpus x global_batch) and prints the rate.
Used by docs/performance.md to state trainmem's speed as a ratio measured in the same minute.
"""
import itertools
import logging
import sys
import time

from llm_analysis.analysis import train

points = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
logging.disable(logging.CRITICAL)
axes = itertools.product(
    range(1, 51),
    [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    [512 * i for i in range(1, 21)],
)
start = time.perf_counter()
done = failed = 0
for micro, seq, gpus, global_batch in itertools.islice(axes, points):
    per_step = micro * gpus
    try:
        train(
            model_name="decapoda-research_llama-7b-hf", gpu_name="a100-sxm-80gb", dtype_name="w16a16e16",
            log_level="CRITICAL", batch_size_per_gpu=micro, seq_len=seq, total_num_gpus=gpus,
            # Rounded up to whole micro-batches per GPU, as trainmem does.
            global_batch_size=-(-global_batch // per_step) * per_step, flops_efficiency=0.5,
            hbm_memory_efficiency=0.9,
        )
    except Exception:  # a point llm-analysis refuses still costs its time; counted
        failed += 1
    done += 1
seconds = time.perf_counter() - start
print(f"llm-analysis: {done} configurations ({failed} refused) in {seconds:.2f} s: {done / seconds:,.0f} configurations/s")
