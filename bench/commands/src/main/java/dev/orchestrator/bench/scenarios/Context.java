package dev.orchestrator.bench.scenarios;

import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.NodeProcess;
import java.util.List;
import java.util.Map;

/**
 * What every phase needs: the settings, the node's port and admin token, a tag that makes this
 * run's component and scenario names unique (a running node may hold an earlier run's), the node's
 * process when known (null: no jcmd, no RSS), and where the phase puts its figures.
 */
record Context(
    Options options,
    int port,
    String token,
    String tag,
    NodeProcess node,
    List<String> summary,
    Map<String, Object> json) {

  /** A new client with its own connection; close it. */
  Api api() {
    return new Api(port, token);
  }

  /** A name unique to this run: "bsc_k3x9a_" + what (scenario names and component ids alike). */
  String name(String what) {
    return "bsc_" + tag + "_" + what;
  }
}
