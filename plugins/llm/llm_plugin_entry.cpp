// Exports the llm plugin (the only exported symbol of nineteen_plugin_llm.so).
#include <nineteen/sdk/export.hpp>

#include "llm_plugin.hpp"

NINETEEN_PLUGIN(nineteen::llm::LlmPlugin, "llm", "1.0.0")
