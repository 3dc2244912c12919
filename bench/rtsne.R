# R side of bench/tsne.ts: Rtsne (Debian r-cran-rtsne; Barnes-Hut, theta 0.5, 2 threads, 1,000
# iterations) on the first N rows of the PCA-50 Fashion-MNIST cache, exported as raw float64 by
# `python3 bench/sklearn_tsne.py export N`. Already PCA'd, so pca = FALSE. Prints
# {"seconds": s, "kl": last itercost} and writes the map as raw float64 (row-major N x 2) to
# bench/.cache/tsne-rtsne-N-SEED.f64. Time measured inside R (loading excluded).
#
#   Rscript bench/rtsne.R N SEED [THREADS]
suppressMessages(library(Rtsne))
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[1]); seed <- as.integer(args[2])
threads <- if (length(args) > 2) as.integer(args[3]) else 2L
x <- matrix(readBin(sprintf("bench/.cache/fmnist-pca50-%d.f64", n), "double", n * 50), ncol = 50, byrow = TRUE)
set.seed(seed)
t0 <- proc.time()[["elapsed"]]
r <- Rtsne(x, dims = 2, perplexity = 30, theta = 0.5, pca = FALSE, num_threads = threads, max_iter = 1000, check_duplicates = FALSE)
seconds <- proc.time()[["elapsed"]] - t0
writeBin(as.vector(t(r$Y)), sprintf("bench/.cache/tsne-rtsne-%d-%d.f64", n, seed))
cat(sprintf('{"seconds": %.3f, "kl": %.6f}\n', seconds, tail(r$itercosts, 1)))
