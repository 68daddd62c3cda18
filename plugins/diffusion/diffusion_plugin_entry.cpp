// Exports the diffusion plugin (the only exported symbol of nineteen_plugin_diffusion.so).
#include <nineteen/sdk/export.hpp>

#include "diffusion_plugin.hpp"

NINETEEN_PLUGIN(nineteen::diffusion::DiffusionPlugin, "diffusion", "1.0.0")
