// GET /v1/models: each task a user can reach now, in OpenAI's model shape plus the fields of
// OpenRouter's provider listing (context_length, max_output_length, quantization, modalities,
// supported_sampling_parameters, supported_features, pricing). Pure functions over plain structs.
#pragma once

#include <string>
#include <vector>

#include "nineteen/validator/organic_routing.hpp"

namespace nineteen::gateway {

// A price per million tokens as OpenRouter's per-token decimal text: 0.15 → "0.00000015", 0 → "0".
std::string price_per_token_text(double per_million);

// The list body: tasks with at least one contender; each carries its descriptor's "listing" members
// and, when the operator priced it in tasks.toml, "pricing" {"prompt","completion"} per token.
std::string models_json(const std::vector<validator::OrganicTask>& tasks);

}  // namespace nineteen::gateway
