#!/usr/bin/env python3
"""Writes the hostile-input corpus (issue 16): odd and broken inputs that `deepfake-scan scan`
must survive with exactly one CSV row per discovered file, no crash, no hang, bounded memory.

Usage: make_corpus.py OUT_DIR [--source Samples/astronaut_real.mp4]
       make_corpus.py --bomb-only OUT_FILE   (just the decompression bomb, for its own test)
Writes OUT_DIR/corpus/ (scan it with `scan OUT_DIR/corpus --recursive`) and OUT_DIR/manifest.json.
Needs python3 (standard library only) and the ffmpeg CLI; deterministic (seeded random bytes).

manifest.json lists every entry the generator made under corpus/, one object each:
  path_hex  the entry's path relative to corpus/, as hex of its raw bytes (names may not be UTF-8)
  rows      how many CSV rows discovery must give it (`scan corpus --recursive`, default
            extensions, hidden names skipped):
              1  a regular file with a video extension, and every non-regular thing with a
                 video extension found in a directory (FIFO, socket, device, broken or looping
                 link: an error row each, issue 16 §2.7);
              0  a directory (entered, not a row), a name without a video extension, a hidden
                 name, a second name of a file already reached (links are scanned once, under
                 the name reached first in byte order).
  expect    for rows == 1: "error" (status must be error: nothing decodable there), "scanned"
            (a valid video: status ok or no_face, never error), "ok" (a face must be found: the
            stream choice matters, issue 16 §2.8) or "any" (one row, any status).
  why       what the entry is.
Everything is small (about 16 MB of real bytes in all) except `sparse_20g.mp4`, a 20 GB sparse file of
zeros that takes no disk: reading it whole would take minutes, so a scan must not.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import socket
import stat
import subprocess
import sys
import unicodedata
import zlib
from pathlib import Path

FFMPEG = shutil.which("ffmpeg")
QUIET = ["-nostdin", "-v", "error", "-y"]
# Deterministic, cheap H.264: one thread, bitexact, no metadata.
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-threads", "1", "-pix_fmt", "yuv420p",
        "-bitexact", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"]


class Corpus:
    def __init__(self, root: Path, source: Path):
        self.root = root / "corpus"
        self.source = source
        self.entries = []
        self.jobs = []  # (name, argv) ffmpeg runs, done in parallel at the end
        self.notes = []

    def path(self, name) -> bytes:
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        return os.fsencode(self.root) + b"/" + raw

    def add(self, name, rows, expect, why):
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        self.entries.append({"path_hex": raw.hex(), "rows": rows, "expect": expect if rows else None, "why": why})

    def write(self, name, data: bytes, expect, why, rows=1):
        with open(self.path(name), "wb") as out:
            out.write(data)
        self.add(name, rows, expect, why)

    def ffmpeg(self, name, args, expect, why, rows=1):
        """Queues `ffmpeg ARGS <name>`; run() executes the queue."""
        self.jobs.append((name, [FFMPEG, *QUIET, *args, os.fsdecode(self.path(name))]))
        self.add(name, rows, expect, why)

    def run(self):
        def one(job):
            name, argv = job
            result = subprocess.run(argv, capture_output=True)
            if result.returncode != 0:
                raise SystemExit(f"ffmpeg failed for {name!r}: {result.stderr.decode(errors='replace')}")
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(one, self.jobs))


def build(corpus: Corpus, work: Path):
    c = corpus
    src = str(c.source)
    real = c.source.read_bytes()
    rng = random.Random(16)

    # --- bytes that are no video at all -------------------------------------------------------
    c.write("empty.mp4", b"", "error", "zero bytes")
    c.write("empty.mkv", b"", "error", "zero bytes, other extension")
    c.write("random_1.mp4", rng.randbytes(1), "error", "one random byte")
    c.write("random_4k.mp4", rng.randbytes(4096), "error", "4 KiB of seeded random bytes")
    c.write("random_1m.avi", rng.randbytes(1 << 20), "error", "1 MiB of seeded random bytes")
    c.write("zeros_1m.mov", bytes(1 << 20), "error", "1 MiB of zero bytes")
    c.write("ftyp_then_random.mp4", real[:32] + rng.randbytes(8192), "error", "a valid ftyp box, then random bytes")
    c.write("ebml_then_random.mkv", bytes.fromhex("1a45dfa3") + rng.randbytes(4096), "error", "EBML magic, then random bytes")
    c.write("text.mp4", b"this is not a video\n" * 10, "error", "plain text with a video extension")
    c.write("page.webm", b"<!doctype html><html><body>404 Not Found</body></html>\n", "error", "an HTML error page saved as .webm")
    c.write("header_only.mp4", real[:32], "error", "the ftyp box of a real mp4 and nothing else")
    c.write("moov_only.mp4", real[:40] + real[real.rindex(b"moov") - 4:], "any", "ftyp + moov of a real mp4, its mdat cut out (index to nothing)")

    # --- the project's own clip, truncated (its moov is at the end) and corrupted --------------
    for cut in [8, 100, 1024, len(real) // 10, len(real) // 4, len(real) // 2, len(real) * 3 // 4, len(real) * 9 // 10, len(real) - 1]:
        c.write(f"truncated_at_{cut}.mp4", real[:cut], "any", f"Samples/astronaut_real.mp4 cut after {cut} bytes")
    middle = bytearray(real)
    middle[len(real) // 2: len(real) // 2 + 4096] = rng.randbytes(4096)
    c.write("corrupt_middle.mp4", bytes(middle), "any", "4 KiB of random bytes in the middle of the mdat")
    flipped = bytearray(real)
    for index in range(0, len(flipped), 997):
        flipped[index] ^= 0xFF
    c.write("corrupt_every_997th_byte.mp4", bytes(flipped), "any", "every 997th byte inverted, the index too")
    c.write("moov_damaged.mp4", real[:-1000] + rng.randbytes(1000), "any", "the last 1000 bytes (inside moov) random")

    # A faststart copy (moov first): its truncations still hold decodable frames.
    faststart = work / "faststart.mp4"
    subprocess.run([FFMPEG, *QUIET, "-i", src, "-c", "copy", "-movflags", "+faststart", str(faststart)], check=True)
    fast = faststart.read_bytes()
    for fraction in (2, 4):
        cut = len(fast) // fraction
        c.write(f"faststart_truncated_1_{fraction}.mp4", fast[:cut], "any", f"a faststart copy cut at 1/{fraction}")

    # --- valid but unusual videos ---------------------------------------------------------------
    one_second = ["-i", src, "-t", "1"]
    c.ffmpeg("audio_only.mp4", ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac"], "error", "audio only (AAC)")
    c.ffmpeg("audio_only.mkv", ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "pcm_s16le"], "error", "audio only (PCM in Matroska)")
    c.ffmpeg("one_by_one.mkv", ["-f", "lavfi", "-i", "testsrc=s=1x1:d=1:r=5", "-c:v", "ffv1"], "scanned", "a 1x1 video")
    c.ffmpeg("odd_17x9.mkv", ["-f", "lavfi", "-i", "testsrc=s=17x9:d=1:r=5", "-c:v", "ffv1"], "scanned", "odd dimensions 17x9")
    c.ffmpeg("tall_16x4000.mkv", ["-f", "lavfi", "-i", "color=c=blue:s=16x4000:d=0.4:r=5", "-c:v", "ffv1"], "scanned", "16x4000, extreme aspect ratio")
    c.ffmpeg("8k.mp4", ["-f", "lavfi", "-i", "color=c=gray:s=7680x4320:d=0.2:r=10", *X264, "-crf", "40"], "scanned", "8K (7680x4320), 2 frames")
    c.ffmpeg("one_frame.mp4", [*one_second, "-frames:v", "1", *X264], "scanned", "a single frame of the face clip")
    c.ffmpeg("zero_frames.mp4", [*one_second, "-frames:v", "0", *X264], "any", "a video stream with no frame at all")
    c.ffmpeg("vfr.mkv", [*one_second, "-vf", "setpts='N*N*0.04/TB'", "-vsync", "vfr", *X264], "scanned", "variable frame rate (gaps growing quadratically)")
    c.ffmpeg("late_start.mp4", [*one_second, *X264, "-output_ts_offset", "100000"], "scanned", "first timestamp at 100000 s")
    # As phones write them: the stored frames turned, the display matrix turning them upright.
    for degrees, turn in ((90, "transpose=clock"), (180, "hflip,vflip"), (270, "transpose=cclock")):
        stored = work / f"stored_{degrees}.mp4"
        subprocess.run([FFMPEG, *QUIET, *one_second, "-vf", turn, *X264, str(stored)], check=True)
        c.ffmpeg(f"rotated_{degrees}.mp4", ["-i", str(stored), "-c", "copy", "-metadata:s:v:0", f"rotate={degrees}"], "ok",
                 f"frames stored turned, display matrix {degrees} degrees: upright when shown")
    c.ffmpeg("rotated_display_90.mp4", ["-i", src, "-c", "copy", "-metadata:s:v:0", "rotate=90"], "scanned",
             "upright frames with a 90 degree display matrix: a sideways face when shown")
    c.ffmpeg("interlaced.mp4", [*one_second, *X264, "-flags", "+ildct+ilme", "-x264opts", "tff=1"], "scanned", "interlaced H.264 (top field first)")
    c.ffmpeg("interlaced_mpeg2.ts", [*one_second, "-c:v", "mpeg2video", "-flags", "+ildct+ilme", "-top", "1", "-q:v", "5"], "scanned",
             "interlaced MPEG-2 in a transport stream")
    c.ffmpeg("pts_gaps.mkv", ["-i", src, "-frames:v", "3", "-vf", "setpts=N*100000/TB", "-vsync", "vfr", *X264], "scanned",
             "three frames 100000 s apart")
    c.ffmpeg("edit_list.mp4", ["-ss", "1.3", "-i", src, "-t", "1.5", "-c", "copy"], "scanned",
             "an edit list starting between keyframes (stream copy from 1.3 s)")
    c.ffmpeg("bframes.avi", [*one_second, "-c:v", "mpeg4", "-q:v", "5", "-bf", "2"], "scanned", "MPEG-4 with B-frames in AVI")
    c.ffmpeg("yuv444.mp4", [*one_second, *X264, "-pix_fmt", "yuv444p"], "scanned", "H.264 4:4:4")
    c.ffmpeg("rgb48.mkv", ["-i", src, "-t", "0.2", "-vf", "scale=240:240", "-c:v", "ffv1", "-pix_fmt", "rgb48le"], "scanned",
             "16-bit RGB (FFV1)")
    c.ffmpeg("gray.mkv", ["-i", src, "-t", "0.2", "-c:v", "ffv1", "-pix_fmt", "gray"], "scanned", "8-bit grey (FFV1)")
    c.ffmpeg("pal8_png.mkv", ["-i", src, "-t", "0.2", "-c:v", "png", "-pix_fmt", "pal8"], "scanned", "palette PNG frames in Matroska")
    c.ffmpeg("alpha.webm", ["-i", src, "-t", "0.4", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-threads", "1",
                            "-pix_fmt", "yuva420p"], "scanned", "VP9 with an alpha channel")
    c.ffmpeg("fps1000.mp4", ["-f", "lavfi", "-i", "testsrc=s=64x64:r=1000:d=2", *X264], "scanned", "1000 frames per second")
    # The picture size changes mid-stream: two MPEG-TS segments (240x240, then 640x640) end to end.
    segments = []
    for index, (start, size) in enumerate(((0, 240), (1, 640))):
        segment = work / f"segment_{index}.ts"
        subprocess.run([FFMPEG, *QUIET, "-ss", str(start), "-i", src, "-t", "1", "-vf", f"scale={size}:{size}", *X264,
                        "-output_ts_offset", str(start), str(segment)], check=True)
        segments.append(segment.read_bytes())
    c.write("size_change.ts", b"".join(segments), "scanned", "H.264 in MPEG-TS, 240x240 for 1 s then 640x640")

    # Best stream (issue 16 §2.8): a faceless thumbnail track first, the face clip second and default.
    c.ffmpeg("two_video_streams.mp4", ["-f", "lavfi", "-i", "testsrc=s=64x64:d=4:r=5", "-i", src, "-map", "0:v", "-map", "1:v",
                                       *X264, "-disposition:v:0", "0", "-disposition:v:1", "default"], "ok",
             "stream 0 a faceless 64x64 thumbnail track, stream 1 the face clip (default)")
    cover = work / "cover.png"
    subprocess.run([FFMPEG, *QUIET, "-f", "lavfi", "-i", "testsrc=s=320x240", "-frames:v", "1", str(cover)], check=True)
    c.ffmpeg("attached_picture.mp4", ["-i", str(cover), "-i", src, "-map", "0", "-map", "1:v", "-c:v:0", "png", "-c:v:1", "copy",
                                      "-disposition:v:0", "attached_pic"], "ok", "a cover picture as stream 0, the face clip as stream 1")
    if "libx265" in subprocess.run([FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True).stdout:
        c.ffmpeg("hevc_10bit.mp4", [*one_second, "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
                                    "-x265-params", "log-level=error:pools=1:frame-threads=1"], "scanned", "10-bit HEVC")
    else:
        c.notes.append("libx265 missing in this ffmpeg: no 10-bit HEVC entry")

    # --- containers ---------------------------------------------------------------------------
    c.ffmpeg("container.mkv", [*one_second, *X264], "scanned", "H.264 in Matroska")
    c.ffmpeg("container.webm", [*one_second, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-threads", "1", "-b:v", "200k"],
             "scanned", "VP9 in WebM")
    c.ffmpeg("container.avi", [*one_second, "-c:v", "mpeg4", "-q:v", "5"], "scanned", "MPEG-4 part 2 in AVI")
    c.ffmpeg("container.ts", [*one_second, *X264], "scanned", "H.264 in MPEG-TS")
    c.ffmpeg("container.mov", [*one_second, "-c:v", "mjpeg", "-q:v", "5"], "scanned", "Motion JPEG in QuickTime")
    c.ffmpeg("container.flv", [*one_second, *X264], "scanned", "H.264 in FLV")
    c.ffmpeg("container.mpg", [*one_second, "-c:v", "mpeg2video", "-q:v", "5"], "scanned", "MPEG-2 program stream")
    c.ffmpeg("CONTAINER_UPPER.MP4", [*one_second, *X264], "scanned", "upper-case extension")

    # Claimed dimensions far beyond the pixels: the decoder is told 16000x16000 (a 256-Mpixel frame).
    small_mjpeg = work / "small_mjpeg.avi"
    subprocess.run([FFMPEG, *QUIET, "-f", "lavfi", "-i", "testsrc=s=16x16:d=0.6:r=5", "-c:v", "mjpeg", str(small_mjpeg)], check=True)
    huge = small_mjpeg.read_bytes()
    huge = huge.replace(b"\xff\xc0\x00\x11\x08\x00\x10\x00\x10", b"\xff\xc0\x00\x11\x08\x3e\x80\x3e\x80")  # JPEG SOF0 height, width
    huge = huge.replace(b"\x10\x00\x00\x00\x10\x00\x00\x00", b"\x80\x3e\x00\x00\x80\x3e\x00\x00")  # AVI avih / strf width, height
    c.write("huge_claimed_dimensions.avi", huge, "any", "MJPEG whose headers claim 16000x16000 over 16x16 of data")
    # The container alone lies: tkhd (16.16 fixed point) and the avc1 sample entry (16 bit) say
    # 30000x30000 over the real 480x480 stream. Only the moov box (at the end) is patched.
    moov = real.rindex(b"moov") - 4
    index = real[moov:].replace(bytes.fromhex("01e0000001e00000"), bytes.fromhex("7530000075300000"))
    index = index.replace(bytes.fromhex("01e001e0"), bytes.fromhex("75307530"))
    c.write("container_claims_30000.mp4", real[:moov] + index, "any", "mp4 track header and sample entry claim 30000x30000")

    # A decompression bomb: 4.5 MB of APNG (the apng demuxer: a video, not a still) that decodes
    # to one 16000x16000 RGBA picture (1 GB). Frames above 8192x4352 pixels are refused.
    c.write("bomb_16000x16000.mp4", apng_bomb(16000, 16000), "error", "4.5 MB of APNG decoding to 16000x16000 RGBA")

    # Still images with a video extension.
    face_png = work / "face.png"
    subprocess.run([FFMPEG, *QUIET, "-i", src, "-frames:v", "1", str(face_png)], check=True)
    c.write("still_png.mp4", face_png.read_bytes(), "any", "a PNG still (a face) renamed .mp4")
    face_jpg = work / "face.jpg"
    subprocess.run([FFMPEG, *QUIET, "-i", src, "-frames:v", "1", str(face_jpg)], check=True)
    c.write("still_jpg.mov", face_jpg.read_bytes(), "any", "a JPEG still (a face) renamed .mov")

    # Sparse: 20 GB of zeros that take no disk. Reading it through would take minutes.
    with open(c.path("sparse_20g.mp4"), "wb") as out:
        out.truncate(20 * 1024 ** 3)
    c.add("sparse_20g.mp4", 1, "error", "a 20 GB sparse file of zeros (truncate -s 20G)")

    # --- names (each a copy of the real face clip: must scan like the original) ----------------
    names = [
        "comma, in name.mp4", 'double "quote".mp4', "carriage\rreturn.mp4", "line\nfeed.mp4", "tab\there.mp4",
        "=HYPERLINK(1).mp4", "+plus.mp4", "-minus.mp4", "@at.mp4", " leading space.mp4", "trailing space .mp4",
        "semi;colon.mp4", "back\\slash.mp4", "dollar $(id).mp4", "emoji 🎬.mp4", "x" * 251 + ".mp4",
        unicodedata.normalize("NFC", "café.mp4"), unicodedata.normalize("NFD", "café.mp4"),
    ]
    for name in names:
        c.write(name, real, "scanned", f"the face clip named {name[:40]!r}")
    # Not UTF-8 (paths are bytes on Linux). Both decode lossily to the same "bad_\ufffd.mp4":
    # their rows must still be two distinct, faithful paths (issue 16 §2.6).
    for raw in (b"bad_\xff.mp4", b"bad_\xfe.mp4", b"latin1_caf\xe9.mp4"):
        c.write(raw, real, "scanned", f"the face clip named {raw!r} (not UTF-8)")
    c.write("unreadable.mp4", real, "any", "chmod 000 (readable anyway when the scan runs as root)")
    os.chmod(c.path("unreadable.mp4"), 0)

    # --- things that are not regular files ------------------------------------------------------
    os.mkfifo(c.path("fifo.mp4"))
    c.add("fifo.mp4", 1, "error", "a FIFO with a video extension: opening it would block")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(c.path("socket.mp4"))
        c.add("socket.mp4", 1, "error", "a UNIX socket with a video extension")
    except OSError as error:  # path too long for sun_path under a deep temp dir
        c.notes.append(f"no socket entry: {error}")
    finally:
        sock.close()
    os.symlink("/dev/null", c.path("devnull.mp4"))
    c.add("devnull.mp4", 1, "error", "a link to /dev/null (a character device)")
    os.symlink("/dev/zero", c.path("devzero.mp4"))
    c.add("devzero.mp4", 1, "error", "a link to /dev/zero (endless zeros)")
    os.symlink("nowhere.mp4", c.path("dangling.mp4"))
    c.add("dangling.mp4", 1, "error", "a dangling symbolic link")
    os.symlink("loop_self.mp4", c.path("loop_self.mp4"))
    c.add("loop_self.mp4", 1, "error", "a symbolic link to itself")
    os.symlink("loop_b.mp4", c.path("loop_a.mp4"))
    os.symlink("loop_a.mp4", c.path("loop_b.mp4"))
    c.add("loop_a.mp4", 1, "error", "a symbolic link loop (a -> b -> a)")
    c.add("loop_b.mp4", 1, "error", "a symbolic link loop (b -> a -> b)")

    # --- what discovery must not give a row -----------------------------------------------------
    c.write("00_linked_target.mp4", real, "scanned", "a face clip that a later link points at")
    os.symlink("00_linked_target.mp4", c.path("zz_link_to_00.mp4"))
    c.add("zz_link_to_00.mp4", 0, None, "a second name for 00_linked_target.mp4 (scanned once)")
    c.write(".hidden.mp4", real, None, "hidden name", rows=0)
    c.write("notes.txt", b"not a video extension\n", None, "no video extension", rows=0)
    c.write("no_extension", real, None, "a face clip without an extension", rows=0)
    os.mkdir(c.path("dir.mp4"))
    c.add("dir.mp4", 0, None, "a directory named like a video (entered: --recursive)")
    c.write("dir.mp4/inner.mp4", real, "scanned", "a face clip inside dir.mp4/")
    os.symlink("..", c.path("dir.mp4/up"))
    c.add("dir.mp4/up", 0, None, "a link back to the corpus root (a directory loop)")
    os.mkdir(c.path("empty_dir.mkv"))
    c.add("empty_dir.mkv", 0, None, "an empty directory named like a video")


def apng_bomb(width, height) -> bytes:
    """A one-frame animated PNG, 8-bit RGBA, of width x height pixels (height a multiple of
    100), zlib level 1: about 4.5 MB for 16000x16000, written in a few seconds."""
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    packer = zlib.compressobj(1)
    rows = (b"\x00" + b"\x80" * (4 * width)) * 100  # filter byte 0, then the pixels; 100 rows at a time
    data = b"".join(packer.compress(rows) for _ in range(height // 100)) + packer.flush()
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 6, 0, 0, 0])  # colour type 6: RGBA
    frame_control = (bytes(4) + width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes(8)
                     + (1).to_bytes(2, "big") + (5).to_bytes(2, "big") + bytes(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"acTL", (1).to_bytes(4, "big") + bytes(4))
            + chunk(b"fcTL", frame_control) + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    here = Path(__file__).resolve().parent
    parser.add_argument("--source", type=Path, default=here.parent.parent / "Samples" / "astronaut_real.mp4")
    parser.add_argument("--bomb-only", action="store_true", help="write only OUT, the 16000x16000 APNG bomb")
    args = parser.parse_args()
    if args.bomb_only:
        args.out.write_bytes(apng_bomb(16000, 16000))
        return
    if FFMPEG is None:
        sys.exit("ffmpeg not found")
    if (args.out / "corpus").exists():
        # chmod 000 files and the sparse file: clear them out before rewriting.
        for directory, _, files in os.walk(args.out / "corpus"):
            for name in files:
                path = os.path.join(directory, name)
                if not os.path.islink(path) and stat.S_ISREG(os.lstat(path).st_mode):
                    os.chmod(path, 0o644)
        shutil.rmtree(args.out / "corpus")
    work = args.out / "work"
    shutil.rmtree(work, ignore_errors=True)
    (args.out / "corpus").mkdir(parents=True)
    work.mkdir()
    corpus = Corpus(args.out, args.source)
    build(corpus, work)
    corpus.run()
    shutil.rmtree(work)
    counted = sum(entry["rows"] for entry in corpus.entries)
    manifest = {"entries": corpus.entries, "expected_rows": counted, "notes": corpus.notes,
                "scan": "deepfake-scan scan CORPUS --recursive (default extensions, hidden names skipped)"}
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    for note in corpus.notes:
        print(f"note: {note}")
    print(f"{len(corpus.entries)} entries, {counted} expected rows: {args.out / 'corpus'}")


if __name__ == "__main__":
    main()
