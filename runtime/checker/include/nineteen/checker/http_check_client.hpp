// A CheckService that talks to a `nineteen checker` server over HTTP (POST /check, GET /check?id=).
#pragma once

#include <memory>
#include <string>

#include "nineteen/checker/check_service.hpp"

namespace nineteen::checker {

// `base_url` is the server's root, e.g. "http://127.0.0.1:8093". Throws std::invalid_argument when
// it is not an http:// URL. A 503 from the server becomes CheckerBusy (retry_after_s from its
// Retry-After header); a 4xx becomes std::runtime_error with the server's message; a server that
// cannot be reached, or answers 5xx, std::runtime_error naming the URL.
std::unique_ptr<CheckService> make_http_checker(const std::string& base_url);

}  // namespace nineteen::checker
