// Exports the embeddings plugin (the only exported symbol of nineteen_plugin_embeddings.so).
#include <nineteen/sdk/export.hpp>

#include "embeddings_plugin.hpp"

NINETEEN_PLUGIN(nineteen::embeddings::EmbeddingsPlugin, "embeddings", "1.0.0")
