// The FFmpeg headers VideoDecode uses, plus `static inline` helpers for what Swift cannot
// import: function-like macros (AVERROR, AV_NOPTS_VALUE) and fixed-size C arrays of pointers.
#ifndef DEEPFAKE_SCAN_CFFMPEG_SHIM_H
#define DEEPFAKE_SCAN_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

static inline int cffmpeg_error_again(void) { return AVERROR(EAGAIN); }
static inline int cffmpeg_error_eof(void) { return AVERROR_EOF; }
static inline int cffmpeg_error_invalid_data(void) { return AVERROR_INVALIDDATA; }
static inline int cffmpeg_error_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int cffmpeg_error_from_errno(int code) { return AVERROR(code); }
static inline int64_t cffmpeg_no_pts(void) { return AV_NOPTS_VALUE; }
static inline int cffmpeg_frame_flag_corrupt(void) { return AV_FRAME_FLAG_CORRUPT; }

/// av_err2str without the compound literal: writes the message into `buffer`.
static inline void cffmpeg_error_string(int code, char *buffer, size_t size) {
    if (av_strerror(code, buffer, size) < 0) {
        snprintf(buffer, size, "error %d", code);
    }
}

static inline uint8_t *cffmpeg_frame_plane(const AVFrame *frame, int plane) { return frame->data[plane]; }
static inline int cffmpeg_frame_linesize(const AVFrame *frame, int plane) { return frame->linesize[plane]; }
static inline const uint8_t *const *cffmpeg_frame_planes(const AVFrame *frame) {
    return (const uint8_t *const *)frame->data;
}
static inline const int *cffmpeg_frame_linesizes(const AVFrame *frame) { return frame->linesize; }
static inline uint8_t *const *cffmpeg_frame_planes_mutable(AVFrame *frame) { return frame->data; }

/// Counter-clockwise rotation in degrees from the stream's display matrix; NAN when absent.
static inline double cffmpeg_stream_display_rotation(const AVStream *stream) {
    size_t size = 0;
    const uint8_t *matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (matrix == NULL || size < 9 * sizeof(int32_t)) return NAN;
    return av_display_rotation_get((const int32_t *)matrix);
}

#endif
