// The SSE parser against the wire format, with input split at every possible byte.
#include <gtest/gtest.h>

#include "nineteen/net/sse_parser.hpp"

using nineteen::net::sse_frame;
using nineteen::net::SseEvent;
using nineteen::net::SseParser;

namespace {

std::vector<std::string> parse_all(const std::string& wire, std::size_t split, bool* done = nullptr) {
  std::vector<std::string> data;
  SseParser parser([&](const SseEvent& e) {
    data.push_back(e.data);
    return true;
  });
  if (parser.feed(std::string_view(wire).substr(0, split))) parser.feed(std::string_view(wire).substr(split));
  if (done) *done = parser.done_seen();
  return data;
}

}  // namespace

TEST(SseParser, EventsAndDoneSurviveAnySplit) {
  const std::string wire = "data: {\"a\":1}\n\n: keep-alive\n\ndata: {\"b\":2}\r\n\r\ndata: [DONE]\n\ndata: after\n\n";
  for (std::size_t split = 0; split <= wire.size(); ++split) {
    bool done = false;
    auto data = parse_all(wire, split, &done);
    ASSERT_EQ(data.size(), 2u) << "split at " << split;
    EXPECT_EQ(data[0], "{\"a\":1}");
    EXPECT_EQ(data[1], "{\"b\":2}");
    EXPECT_TRUE(done);
  }
}

TEST(SseParser, MultiLineDataAndFields) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& e) {
    events.push_back(e);
    return true;
  });
  parser.feed("event: update\nid: 7\ndata: line one\ndata:line two\n\nevent: no-data\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "update");
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].data, "line one\nline two");
  EXPECT_FALSE(parser.done_seen());
}

TEST(SseParser, CallbackCanStop) {
  int seen = 0;
  SseParser parser([&](const SseEvent&) { return ++seen < 2; });
  EXPECT_FALSE(parser.feed("data: 1\n\ndata: 2\n\ndata: 3\n\n"));
  EXPECT_EQ(seen, 2);
}

TEST(SseParser, PartialEventIsReported) {
  SseParser parser(nullptr);
  parser.feed("data: {\"cut");
  EXPECT_TRUE(parser.has_partial_event());
  EXPECT_EQ(parser.events(), 0u);
}

TEST(SseFrame, SplitsLinesIntoDataFields) {
  EXPECT_EQ(sse_frame("{}"), "data: {}\n\n");
  EXPECT_EQ(sse_frame("a\nb"), "data: a\ndata: b\n\n");
  EXPECT_EQ(sse_frame("a\r\nb\rc"), "data: a\ndata: b\ndata: c\n\n");
  EXPECT_EQ(sse_frame(""), "data: \n\n");
  auto data = parse_all(sse_frame("a\nb"), 0);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0], "a\nb");
}
