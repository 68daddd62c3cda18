// The local chain's HTTP routes over a LocalChainState (documented on ChainServer).
#pragma once

#include "nineteen/chain/local_chain_state.hpp"
#include "nineteen/net/router.hpp"

namespace nineteen::chain {

// `state` must outlive the router.
net::Router make_chain_routes(LocalChainState& state);

}  // namespace nineteen::chain
