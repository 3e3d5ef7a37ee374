/*
 * Lets oneMKL use its AVX-512 kernels on AMD processors that have AVX-512 (Zen 4, Zen 5).
 *
 * libtorch links oneMKL statically and exports its CPU-dispatch queries. oneMKL picks its AVX-512 code paths only
 * when mkl_serv_intel_cpu_true() says the processor is Intel; on an AMD EPYC with AVX-512 it falls back to a
 * generic path. Preloaded (LD_PRELOAD, see ../../penwright), these two definitions take the place of MKL's own, so
 * MKL selects kernels by the instruction sets the CPU reports instead of by vendor. Measured on this machine's
 * 2-core EPYC (Zen 5): a 1024^3 SGEMM goes from 158 to 370 GFLOP/s, decoding and training about twice as fast.
 *
 * No library offers this switch (MKL_DEBUG_CPU_TYPE was removed in oneMKL 2020.1), hence these few hand-written
 * lines. ./penwright compiles and preloads them only on AMD CPUs that report avx512f; PENWRIGHT_MKL_DISPATCH=off
 * turns them off.
 */
int mkl_serv_intel_cpu_true(void) {
    return 1;
}

int mkl_serv_intel_cpu(void) {
    return 1;
}
