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

TEST(HttpUrl, HttpsHasItsOwnDefaultPort) {
  auto plain = parse_http_url("http://miner.example/v1");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  auto secure = parse_http_url("https://miner.example/v1");
  ASSERT_TRUE(secure);
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, 443);
  EXPECT_EQ(secure->target, "/v1");
  auto with_port = parse_http_url("https://127.0.0.1:8443");
  ASSERT_TRUE(with_port);
  EXPECT_EQ(with_port->port, 8443);
  EXPECT_EQ(with_port->target, "/");
}

TEST(HttpUrl, RejectsWithAReason) {
  std::string error;
  EXPECT_FALSE(parse_http_url("ftp://x/", &error));
  EXPECT_NE(error.find("http://"), std::string::npos) << error;
  EXPECT_FALSE(parse_http_url("http://x:70000/", &error));
  EXPECT_NE(error.find("1..65535"), std::string::npos) << error;
  EXPECT_FALSE(parse_http_url("http://:80/", &error));
  EXPECT_NE(error.find("missing host"), std::string::npos) << error;
  EXPECT_FALSE(parse_http_url("http://x:abc/", &error));
}
