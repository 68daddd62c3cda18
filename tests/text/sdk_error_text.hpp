// Runs a call that must throw sdk::Error with a given code, and returns its message for checking.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "nineteen/sdk/error.hpp"

namespace nineteen::text::testing {

template <class Call>
std::string sdk_error_text(Call call, nt_code expected_code) {
  try {
    call();
  } catch (const sdk::Error& error) {
    EXPECT_EQ(error.code(), expected_code) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "expected an sdk::Error with code " << sdk::code_name(expected_code);
  return "";
}

}  // namespace nineteen::text::testing
