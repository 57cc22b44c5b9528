// libfacedetection's 1×1 convolution computes every output value as its own dot product: per
// output, 8-float FMAs over the input channels, then a horizontal sum. On the scan's small
// channel counts the loads and the horizontal sums dominate. This file defines the same C++
// symbol, which the library calls through its PLT, so the dynamic linker binds it here (the
// executable exports it: Package.swift). Each output keeps the library's arithmetic exactly
// (the same FMA chain over the same padded channels, the same pairwise sum, then the bias),
// so faces and scores are bit for bit unchanged; the blocking only shares loads and sums.

#include "yunet_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdatomic.h>
#include <stddef.h>

_Static_assert(sizeof(YuNetBlob) == 24, "CDataBlob<float> layout");
_Static_assert(offsetof(YuNetFilters, weights) == 16, "Filters<float> layout");
_Static_assert(offsetof(YuNetFilters, biases) == 40, "Filters<float> layout");

// The library's own kernel while switched to it, else NULL (ours). Set before the first
// detection; atomic so that a later switch (the tests') is no data race.
static _Atomic(YuNetLayerFunction) library_pointwise;

void yunet_set_library_pointwise(YuNetLayerFunction library, bool useLibrary) {
    atomic_store(&library_pointwise, useLibrary ? library : NULL);
}

#if defined(__x86_64__)

static inline float *pixel(const YuNetBlob *blob, long index) {
    return (float *)((char *)blob->data + index * (long)blob->channelStep);
}

/// Four accumulators summed as the library sums one: ((a0+a1)+(a2+a3)) + ((a4+a5)+(a6+a7)).
__attribute__((target("avx,fma"))) static inline __m128 sum4(__m256 a, __m256 b, __m256 c, __m256 d) {
    __m256 pairs = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(pairs), _mm256_extractf128_ps(pairs, 1));
}

/// One output value exactly as the library computes it (channel counts that are no multiple of 4).
__attribute__((target("avx,fma"))) static inline float single(const float *x, const float *w, int channels, float bias) {
    __m256 acc = _mm256_setzero_ps();
    for (int k = 0; k < channels; k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(x + k), acc);
    __m256 h = _mm256_hadd_ps(acc, acc);
    h = _mm256_hadd_ps(h, h);
    return (_mm_cvtss_f32(_mm256_castps256_ps128(h)) + _mm_cvtss_f32(_mm256_extractf128_ps(h, 1))) + bias;
}

/// Three pixels × four output channels: each input and weight vector loaded once for 12 FMAs.
__attribute__((target("avx,fma"))) static void three_pixels(const float *x0, const float *x1, const float *x2,
        const float *w0, long wStep, int channels, const float *bias, float *o0, float *o1, float *o2) {
    const float *w1 = w0 + wStep, *w2 = w1 + wStep, *w3 = w2 + wStep;
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00;
    __m256 a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    __m256 a20 = a00, a21 = a00, a22 = a00, a23 = a00;
    for (int k = 0; k < channels; k += 8) {
        __m256 v0 = _mm256_loadu_ps(x0 + k), v1 = _mm256_loadu_ps(x1 + k), v2 = _mm256_loadu_ps(x2 + k);
        __m256 f = _mm256_loadu_ps(w0 + k);
        a00 = _mm256_fmadd_ps(f, v0, a00); a10 = _mm256_fmadd_ps(f, v1, a10); a20 = _mm256_fmadd_ps(f, v2, a20);
        f = _mm256_loadu_ps(w1 + k);
        a01 = _mm256_fmadd_ps(f, v0, a01); a11 = _mm256_fmadd_ps(f, v1, a11); a21 = _mm256_fmadd_ps(f, v2, a21);
        f = _mm256_loadu_ps(w2 + k);
        a02 = _mm256_fmadd_ps(f, v0, a02); a12 = _mm256_fmadd_ps(f, v1, a12); a22 = _mm256_fmadd_ps(f, v2, a22);
        f = _mm256_loadu_ps(w3 + k);
        a03 = _mm256_fmadd_ps(f, v0, a03); a13 = _mm256_fmadd_ps(f, v1, a13); a23 = _mm256_fmadd_ps(f, v2, a23);
    }
    __m128 b = _mm_loadu_ps(bias);
    _mm_storeu_ps(o0, _mm_add_ps(sum4(a00, a01, a02, a03), b));
    _mm_storeu_ps(o1, _mm_add_ps(sum4(a10, a11, a12, a13), b));
    _mm_storeu_ps(o2, _mm_add_ps(sum4(a20, a21, a22, a23), b));
}

/// One pixel × four output channels (the pixels left over after the threes).
__attribute__((target("avx,fma"))) static void one_pixel(const float *x, const float *w0, long wStep, int channels,
        const float *bias, float *o) {
    const float *w1 = w0 + wStep, *w2 = w1 + wStep, *w3 = w2 + wStep;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < channels; k += 8) {
        __m256 v = _mm256_loadu_ps(x + k);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k), v, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + k), v, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + k), v, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + k), v, a3);
    }
    _mm_storeu_ps(o, _mm_add_ps(sum4(a0, a1, a2, a3), _mm_loadu_ps(bias)));
}

bool yunet_pointwise_blocked(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output) {
    const long pixels = (long)output->rows * output->cols;
    const int inChannels = input->channels, outChannels = output->channels, blocked = outChannels & ~3;
    const long wStep = filters->weights.channelStep / (long)sizeof(float);
    const float *weights = filters->weights.data, *bias = filters->biases.data;
    long p = 0;
    if (input->rows != output->rows || input->cols != output->cols) {
        // Not a YuNet shape: the library reads input pixel (row, col) for output pixel (row, col),
        // and those are beyond the input's rows or columns, or at other flat offsets.
        for (int row = 0; row < output->rows; row++)
            for (int col = 0; col < output->cols; col++) {
                float *o = pixel(output, (long)row * output->cols + col);
                if (row >= input->rows || col >= input->cols) return false;
                const float *x = pixel(input, (long)row * input->cols + col);
                for (int c = 0; c < blocked; c += 4) one_pixel(x, weights + c * wStep, wStep, inChannels, bias + c, o + c);
                for (int c = blocked; c < outChannels; c++) o[c] = single(x, weights + c * wStep, inChannels, bias[c]);
            }
        return true;
    }
    for (; p + 3 <= pixels; p += 3) {
        const float *x0 = pixel(input, p), *x1 = pixel(input, p + 1), *x2 = pixel(input, p + 2);
        float *o0 = pixel(output, p), *o1 = pixel(output, p + 1), *o2 = pixel(output, p + 2);
        for (int c = 0; c < blocked; c += 4)
            three_pixels(x0, x1, x2, weights + c * wStep, wStep, inChannels, bias + c, o0 + c, o1 + c, o2 + c);
        for (int c = blocked; c < outChannels; c++) {
            o0[c] = single(x0, weights + c * wStep, inChannels, bias[c]);
            o1[c] = single(x1, weights + c * wStep, inChannels, bias[c]);
            o2[c] = single(x2, weights + c * wStep, inChannels, bias[c]);
        }
    }
    for (; p < pixels; p++) {
        const float *x = pixel(input, p);
        float *o = pixel(output, p);
        for (int c = 0; c < blocked; c += 4) one_pixel(x, weights + c * wStep, wStep, inChannels, bias + c, o + c);
        for (int c = blocked; c < outChannels; c++) o[c] = single(x, weights + c * wStep, inChannels, bias[c]);
    }
    return true;
}

#else

// libfacedetection's wheel is x86-64 only, so nothing calls this on other CPUs.
bool yunet_pointwise_blocked(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output) {
    (void)input, (void)filters, (void)output;
    return false;
}

#endif

/// bool convolution_1x1pointwise(const CDataBlob<float>&, const Filters<float>&, CDataBlob<float>&)
__attribute__((visibility("default"))) bool yunet_interposed_pointwise(const YuNetBlob *input,
        const YuNetFilters *filters, YuNetBlob *output)
    __asm__("_Z24convolution_1x1pointwiseRK9CDataBlobIfERK7FiltersIfERS0_");

bool yunet_interposed_pointwise(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output) {
    YuNetLayerFunction library = atomic_load_explicit(&library_pointwise, memory_order_relaxed);
    return library ? library(input, filters, output) : yunet_pointwise_blocked(input, filters, output);
}

YuNetLayerFunction yunet_interposed_pointwise_address(void) { return yunet_interposed_pointwise; }
