// OpenBLAS' cblas.h (Debian: libopenblas-dev, the pthread build via alternatives).
// It also declares openblas_set_num_threads, which the engine uses to keep BLAS single-threaded
// per worker: parallelism comes from running one model instance per worker thread.
#include <cblas.h>
