// HTTPS end to end: the server with a certificate from its settings, the client checking it.
#include <gtest/gtest.h>

#include <string>

#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "self_signed_certificate.hpp"
#include "test_server_fixture.hpp"

using namespace nineteen::net;
using test_support::SelfSignedCertificate;

namespace {

Router echo_router() {
  Router router;
  router.add("POST", "/echo", [](const Request& r) { return json_response(200, r.body); });
  router.add("POST", "/stream", [](const Request&) {
    return Reply::stream([](SseWriter& w) {
      for (int i = 1; i <= 3; ++i) w.send("{\"n\":" + std::to_string(i) + "}");
    });
  });
  return router;
}

ServerOptions tls_options(const SelfSignedCertificate& cert) {
  ServerOptions options;
  options.tls_certificate_file = cert.certificate.string();
  options.tls_private_key_file = cert.private_key.string();
  return options;
}

ClientRequest post(const std::string& url, std::string body) {
  ClientRequest r;
  r.method = "POST";
  r.url = url;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST(HttpTls, RequestsAndStreamsTravelEncryptedOnAKeptConnection) {
  SelfSignedCertificate cert;
  HttpServer server(echo_router(), tls_options(cert));
  EXPECT_EQ(server.base_url().rfind("https://127.0.0.1:", 0), 0u) << server.base_url();

  ClientOptions options;
  options.tls_ca_file = cert.certificate.string();
  HttpClient client(options);
  ClientResult first = client.send(post(server.base_url() + "/echo", "{\"a\":1}"));
  ASSERT_TRUE(first.ok()) << first.error_message;
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "{\"a\":1}");

  ClientResult second = client.send(post(server.base_url() + "/echo", std::string(200000, 'x')));
  ASSERT_TRUE(second.ok()) << second.error_message;
  EXPECT_EQ(second.body.size(), 200000u);
  EXPECT_TRUE(second.reused_connection) << "the TLS connection is kept alive like a plain one";

  std::vector<std::string> events;
  ClientResult streamed = client.stream(post(server.base_url() + "/stream", "{}"), [&](const SseEvent& e) {
    events.push_back(e.data);
    return true;
  });
  ASSERT_TRUE(streamed.ok()) << streamed.error_message;
  EXPECT_TRUE(streamed.done_seen);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2], "{\"n\":3}");
}

TEST(HttpTls, AnUntrustedOrMisnamedCertificateIsRefusedByTheClient) {
  SelfSignedCertificate cert;
  HttpServer server(echo_router(), tls_options(cert));

  HttpClient system_trust;  // the system's CAs: a self-signed certificate is not among them
  ClientResult untrusted = system_trust.send(post(server.base_url() + "/echo", "{}"));
  EXPECT_EQ(untrusted.error, ClientErrorKind::tls_failed) << untrusted.error_message;
  EXPECT_NE(untrusted.error_message.find("certificate"), std::string::npos) << untrusted.error_message;
  EXPECT_EQ(untrusted.status, 0);

  // Trusted, but the certificate names 127.0.0.1 only, not "localhost".
  ClientOptions options;
  options.tls_ca_file = cert.certificate.string();
  HttpClient client(options);
  ClientResult misnamed =
      client.send(post("https://localhost:" + std::to_string(server.port()) + "/echo", "{}"));
  EXPECT_EQ(misnamed.error, ClientErrorKind::tls_failed) << misnamed.error_message;
}

TEST(HttpTls, PlainHttpOnATlsPortIsClosedAndOthersKeepBeingServed) {
  SelfSignedCertificate cert;
  HttpServer server(echo_router(), tls_options(cert));
  std::string plain = nineteen::net::testing::raw_exchange(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(plain.find("HTTP/1.1 200"), std::string::npos) << "plain HTTP must not be answered on a TLS port";

  ClientOptions options;
  options.tls_ca_file = cert.certificate.string();
  HttpClient client(options);
  ClientResult ok = client.send(post(server.base_url() + "/echo", "{}"));
  ASSERT_TRUE(ok.ok()) << ok.error_message;
  EXPECT_EQ(ok.status, 200);

  // And the other way round: an https:// URL to a plain server fails its handshake with a reason.
  HttpServer plain_server(echo_router(), ServerOptions{});
  ClientResult wrong = client.send(post("https://127.0.0.1:" + std::to_string(plain_server.port()) + "/echo", "{}"));
  EXPECT_EQ(wrong.error, ClientErrorKind::tls_failed) << wrong.error_message;
  EXPECT_NE(wrong.error_message.find("https server"), std::string::npos) << wrong.error_message;
}

TEST(HttpTls, MissingOrHalfTlsSettingsFailAtStartNamingTheFile) {
  SelfSignedCertificate cert;
  ServerOptions missing = tls_options(cert);
  missing.tls_certificate_file = (cert.dir / "nope.pem").string();
  try {
    HttpServer server(echo_router(), missing);
    FAIL() << "a missing certificate file must fail the start";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.pem"), std::string::npos) << e.what();
  }

  ServerOptions half;
  half.tls_certificate_file = cert.certificate.string();
  try {
    HttpServer server(echo_router(), half);
    FAIL() << "a certificate without its key must fail the start";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tls_private_key"), std::string::npos) << e.what();
  }

  ServerOptions swapped = tls_options(cert);
  std::swap(swapped.tls_certificate_file, swapped.tls_private_key_file);
  EXPECT_THROW(HttpServer(echo_router(), swapped), std::runtime_error);

  ClientOptions bad_ca;
  bad_ca.tls_ca_file = (cert.dir / "no-ca.pem").string();
  try {
    HttpClient client(bad_ca);
    FAIL() << "a missing CA file must fail the client's construction";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no-ca.pem"), std::string::npos) << e.what();
  }
}
