package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The launcher as an operator meets it: {@code Main} in its own JVM with ORCH_* variables. Bad
 * settings end with exit code 2 and one line on stderr that names the variable, before anything is
 * created; a database that cannot be reached ends with exit code 1 and a line that says so, without
 * ever showing the password.
 */
class MainSettingsIT {
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path temp;

  record Outcome(int exit, String stdout, String stderr) {
    String lastStderrLine() {
      List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  private Outcome runMain(Path dataDir, Map<String, String> env) throws Exception {
    Path out = temp.resolve("stdout.txt");
    Path err = temp.resolve("stderr.txt");
    ProcessBuilder builder =
        new ProcessBuilder(
                ChildNode.java(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.orchestrator.node.Main")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("ORCH_"));
    builder.environment().put("ORCH_DATA_DIR", dataDir.toString());
    builder.environment().put("ORCH_HTTP_PORT", Integer.toString(Ports.free()));
    builder.environment().put("ORCH_NODE_PORT", Integer.toString(Ports.free()));
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        fail(
            "Main did not exit within "
                + EXIT_TIMEOUT
                + " with "
                + env
                + "; stderr:\n"
                + read(err));
      }
    } finally {
      process.destroyForcibly();
    }
    return new Outcome(process.exitValue(), read(out), read(err));
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  private static List<Path> contents(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ORCH_HTTP_PORT | abc",
        "ORCH_DB_URL    | mysql://x",
        "ORCH_ROLES     | bad role",
        "ORCH_MODE      | prod",
      })
  void badSettingExitsWithTwoAndNamesTheVariable(String variable, String value) throws Exception {
    Path dataDir = Files.createDirectory(temp.resolve("data"));

    Outcome outcome = runMain(dataDir, Map.of(variable, value));

    assertEquals(2, outcome.exit(), () -> "exit code; stderr:\n" + outcome.stderr());
    String line = outcome.lastStderrLine();
    assertTrue(line.startsWith("orchestrator: "), () -> "last stderr line: " + line);
    assertTrue(line.contains(variable), () -> "should name " + variable + ": " + line);
    assertEquals(List.of(), contents(dataDir), "nothing may be created in ORCH_DATA_DIR");
    assertFalse(Files.exists(dataDir.resolve("postgres")));
  }

  @Test
  void unreachableDatabaseExitsWithOneAndNeverShowsThePassword() throws Exception {
    Path dataDir = Files.createDirectory(temp.resolve("data"));
    String url = "jdbc:postgresql://127.0.0.1:" + Ports.free() + "/x";
    Map<String, String> env = new HashMap<>();
    env.put("ORCH_MODE", "cluster");
    env.put("ORCH_DB_URL", url);
    env.put("ORCH_DB_USER", "orch");
    env.put("ORCH_DB_PASSWORD", "secretpw");

    Outcome outcome = runMain(dataDir, env);

    assertEquals(1, outcome.exit(), () -> "exit code; stderr:\n" + outcome.stderr());
    String line = outcome.lastStderrLine();
    assertTrue(line.startsWith("orchestrator: "), () -> "last stderr line: " + line);
    assertTrue(line.contains("database"), () -> "should say the database failed: " + line);
    assertTrue(line.contains(url), () -> "should say which database: " + line);
    assertTrue(line.contains("ORCH_DB_URL"), () -> "should say what to check: " + line);
    assertFalse(outcome.stdout().contains("secretpw"), "password on stdout");
    assertFalse(outcome.stderr().contains("secretpw"), "password on stderr");
  }
}
