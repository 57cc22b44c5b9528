// libfacedetection's 3×3 depthwise convolution (stride 1, padding 1) accumulates every tap into
// the output in memory, with bounds checks and pointer arithmetic per tap. The same symbol is
// defined here, like the 1×1 one (pointwise.c), with the library's arithmetic kept exactly: the
// output blob is zeroed as the library zeroes it, and each output starts from +0, adds the
// in-range taps row by row with one FMA each, in the library's order, then the bias.
// Accumulators stay in registers, four pixels share each weight load, and interior pixels skip
// the bounds checks.

#include "yunet_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdatomic.h>
#include <string.h>

// The library's own kernel while switched to it, else NULL (ours). Set before the first
// detection; atomic so that a later switch (the tests') is no data race.
static _Atomic(YuNetLayerFunction) library_depthwise;

void yunet_set_library_depthwise(YuNetLayerFunction library, bool useLibrary) {
    atomic_store(&library_depthwise, useLibrary ? library : NULL);
}

#if defined(__x86_64__)

static inline const float *at(const YuNetBlob *blob, int row, int col) {
    return (const float *)((const char *)blob->data + ((long)row * blob->cols + col) * (long)blob->channelStep);
}

/// One output pixel, any position: only the taps inside the input, in the library's order.
__attribute__((target("avx,fma"))) static void edge_pixel(const YuNetBlob *input, const float *const taps[9],
        const float *bias, int channels, int row, int col, float *out) {
    const int rowStart = row > 0 ? row - 1 : 0, rowEnd = row + 2 < input->rows ? row + 2 : input->rows;
    const int colStart = col > 0 ? col - 1 : 0, colEnd = col + 2 < input->cols ? col + 2 : input->cols;
    for (int k = 0; k < channels; k += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int r = rowStart; r < rowEnd; r++)
            for (int c = colStart; c < colEnd; c++)
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(at(input, r, c) + k),
                                      _mm256_loadu_ps(taps[3 * (r - row + 1) + (c - col + 1)] + k), acc);
        _mm256_storeu_ps(out + k, _mm256_add_ps(acc, _mm256_loadu_ps(bias + k)));
    }
}

/// Four neighbouring interior pixels of one row: all nine taps in range.
__attribute__((target("avx,fma"))) static void four_interior_pixels(const YuNetBlob *input,
        const float *const taps[9], const float *bias, int channels, int row, int col, float *const out[4]) {
    const float *above = at(input, row - 1, col - 1), *middle = at(input, row, col - 1), *below = at(input, row + 1, col - 1);
    const long step = input->channelStep / (long)sizeof(float);
    for (int k = 0; k < channels; k += 8) {
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        const float *lines[3] = {above + k, middle + k, below + k};
        for (int r = 0; r < 3; r++) {
            const float *x = lines[r];
            for (int c = 0; c < 3; c++) {
                __m256 w = _mm256_loadu_ps(taps[3 * r + c] + k);
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + (c + 0) * step), w, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + (c + 1) * step), w, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + (c + 2) * step), w, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + (c + 3) * step), w, a3);
            }
        }
        __m256 b = _mm256_loadu_ps(bias + k);
        _mm256_storeu_ps(out[0] + k, _mm256_add_ps(a0, b));
        _mm256_storeu_ps(out[1] + k, _mm256_add_ps(a1, b));
        _mm256_storeu_ps(out[2] + k, _mm256_add_ps(a2, b));
        _mm256_storeu_ps(out[3] + k, _mm256_add_ps(a3, b));
    }
}

bool yunet_depthwise_blocked(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output) {
    const int channels = filters->numFilters;
    const long wStep = filters->weights.channelStep / (long)sizeof(float);
    const float *taps[9];
    for (int t = 0; t < 9; t++) taps[t] = filters->weights.data + t * wStep;
    const float *bias = filters->biases.data;
    const int rows = output->rows, cols = output->cols;
    if (output->data == NULL) return true;
    memset(output->data, 0, (size_t)output->channelStep * (size_t)rows * (size_t)cols);  // padding lanes too
    for (int row = 0; row < rows; row++) {
        const bool interiorRow = row > 0 && row + 1 < input->rows && cols > 0;
        int col = 0;
        if (interiorRow) {
            edge_pixel(input, taps, bias, channels, row, 0, (float *)at(output, row, 0));
            for (col = 1; col + 4 < input->cols && col + 4 <= cols; col += 4) {
                float *const out[4] = {(float *)at(output, row, col), (float *)at(output, row, col + 1),
                                       (float *)at(output, row, col + 2), (float *)at(output, row, col + 3)};
                four_interior_pixels(input, taps, bias, channels, row, col, out);
            }
        }
        for (; col < cols; col++) edge_pixel(input, taps, bias, channels, row, col, (float *)at(output, row, col));
    }
    return true;
}

#else

// libfacedetection's wheel is x86-64 only, so nothing calls this on other CPUs.
bool yunet_depthwise_blocked(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output) {
    (void)input, (void)filters, (void)output;
    return false;
}

#endif

/// bool convolution_3x3depthwise(const CDataBlob<float>&, const Filters<float>&, CDataBlob<float>&)
__attribute__((visibility("default"))) bool yunet_interposed_depthwise(const YuNetBlob *input,
        const YuNetFilters *filters, YuNetBlob *output)
    __asm__("_Z24convolution_3x3depthwiseRK9CDataBlobIfERK7FiltersIfERS0_");

bool yunet_interposed_depthwise(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output) {
    YuNetLayerFunction library = atomic_load_explicit(&library_depthwise, memory_order_relaxed);
    return library ? library(input, filters, output) : yunet_depthwise_blocked(input, filters, output);
}

YuNetLayerFunction yunet_interposed_depthwise_address(void) { return yunet_interposed_depthwise; }
