// URL parsing for the client.
#include <gtest/gtest.h>

#include "nineteen/net/http_url.hpp"

using nineteen::net::parse_http_url;

TEST(HttpUrl, ParsesHostPortAndTarget) {
  auto u = parse_http_url("http://127.0.0.1:8091/v1/chat/completions?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8091);
  EXPECT_EQ(u->target, "/v1/chat/completions?x=1");
  auto bare = parse_http_url("http://miner.example");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
  auto v6 = parse_http_url("http://[::1]:9000/health");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
}

TEST(HttpUrl, RejectsWithAReason) {
  std::string error;
  EXPECT_FALSE(parse_http_url("https://x/", &error));
  EXPECT_NE(error.find("https is not supported"), std::string::npos) << error;
  EXPECT_FALSE(parse_http_url("ftp://x/", &error));
  EXPECT_NE(error.find("http://"), std::string::npos) << error;
  EXPECT_FALSE(parse_http_url("http://x:70000/", &error));
  EXPECT_NE(error.find("1..65535"), std::string::npos) << error;
  EXPECT_FALSE(parse_http_url("http://:80/", &error));
  EXPECT_NE(error.find("missing host"), std::string::npos) << error;
  EXPECT_FALSE(parse_http_url("http://x:abc/", &error));
}
