"""bench's benchmarks (``make bench``): figures as medians of several runs, with baselines."""
