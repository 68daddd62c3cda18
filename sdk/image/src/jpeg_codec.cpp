// JPEG through libjpeg in memory; libjpeg's fatal errors longjmp back here and become sdk::Error.
#include "nineteen/image/jpeg_codec.hpp"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>

#include <jpeglib.h>

#include "nineteen/sdk/error.hpp"

namespace nineteen::image {
namespace {

struct ErrorJump {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_fatal(j_common_ptr info) {
  auto* error = reinterpret_cast<ErrorJump*>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

void on_warning(j_common_ptr, int) {}  // corrupt-data warnings: the decoded pixels still stand

}  // namespace

bool looks_like_jpeg(std::string_view bytes) {
  return bytes.size() >= 3 && uint8_t(bytes[0]) == 0xFF && uint8_t(bytes[1]) == 0xD8 && uint8_t(bytes[2]) == 0xFF;
}

std::string encode_jpeg(const RgbImage& image, int quality) {
  if (image.width < 1 || image.height < 1 || image.pixels.size() != size_t(image.width) * image.height * 3) {
    throw sdk::Error(NT_INTERNAL, "encode_jpeg: the image is empty or its pixel count is wrong");
  }
  jpeg_compress_struct info;
  ErrorJump error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = on_fatal;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  if (setjmp(error.jump)) {
    jpeg_destroy_compress(&info);
    std::free(buffer);
    throw sdk::Error(NT_INTERNAL, std::string("encode_jpeg: ") + error.message);
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = JDIMENSION(image.width);
  info.image_height = JDIMENSION(image.height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.at(0, int(info.next_scanline)));
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return out;
}

RgbImage decode_jpeg(std::string_view bytes, const std::string& what, int max_side) {
  if (!looks_like_jpeg(bytes)) throw sdk::Error(NT_INVALID_ARGUMENT, what + ": not a JPEG (no JPEG signature)");
  jpeg_decompress_struct info;
  ErrorJump error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = on_fatal;
  error.manager.emit_message = on_warning;
  RgbImage* image = new RgbImage();  // on the heap: a longjmp must not skip a destructor
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    delete image;
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": damaged JPEG: " + error.message);
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  // Before jpeg_start_decompress, which allocates by the declared size (a progressive JPEG of a few
  // hundred bytes made libjpeg take 1.5 GB: fuzz_image_decode).
  if (info.image_width > static_cast<JDIMENSION>(max_side) || info.image_height > static_cast<JDIMENSION>(max_side)) {
    const std::string size = std::to_string(info.image_width) + "x" + std::to_string(info.image_height);
    jpeg_destroy_decompress(&info);
    delete image;
    throw sdk::Error(NT_INVALID_ARGUMENT,
                     what + ": " + size + " pixels; each side may be at most " + std::to_string(max_side));
  }
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  image->width = int(info.output_width);
  image->height = int(info.output_height);
  image->pixels.assign(size_t(image->width) * image->height * 3, 0);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image->at(0, int(info.output_scanline));
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  RgbImage out = std::move(*image);
  delete image;
  return out;
}

}  // namespace nineteen::image
