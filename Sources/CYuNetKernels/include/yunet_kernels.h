#ifndef YUNET_KERNELS_H
#define YUNET_KERNELS_H

#include <stdbool.h>

/// libfacedetection's CDataBlob<float>: an HWC image of `channels` floats per pixel, each pixel
/// padded to `channelStep` bytes. The layout is that of the yuface wheel the Makefile pins.
typedef struct {
    int rows, cols, channels, channelStep;
    float *data;
} YuNetBlob;

/// libfacedetection's Filters<float>: for a 1×1 convolution, `weights` holds one row of
/// `cols` = output channels, each a padded vector of input channels; for a 3×3 depthwise one,
/// `cols` = 9 taps, each a vector of channels; `biases` one per output channel.
typedef struct {
    int channels, numFilters;
    bool isDepthwise, isPointwise, withReLU;
    YuNetBlob weights, biases;
} YuNetFilters;

typedef bool (*YuNetLayerFunction)(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output);

/// The 1×1 convolution, register-blocked, with the library's exact arithmetic.
bool yunet_pointwise_blocked(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output);

/// After dlopen: the library's own 1×1 convolution, and whether the interposed symbol should
/// call it instead of the blocked one. Set before the first detection (YuNetKernels.select).
void yunet_set_library_pointwise(YuNetLayerFunction library, bool useLibrary);

/// The address of the interposed `convolution_1x1pointwise`, to check that it is exported.
YuNetLayerFunction yunet_interposed_pointwise_address(void);

/// The 3×3 depthwise convolution (stride 1, padding 1), with the library's exact arithmetic.
bool yunet_depthwise_blocked(const YuNetBlob *input, const YuNetFilters *filters, YuNetBlob *output);

/// After dlopen: the library's own 3×3 depthwise convolution, as for the 1×1 one.
void yunet_set_library_depthwise(YuNetLayerFunction library, bool useLibrary);

/// The address of the interposed `convolution_3x3depthwise`.
YuNetLayerFunction yunet_interposed_depthwise_address(void);

#endif
