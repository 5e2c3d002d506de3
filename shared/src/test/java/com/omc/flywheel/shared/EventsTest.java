package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.shared.errors.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventsTest {
    enum Mode { FAST, SLOW }

    record Sample(String name, Integer count, Boolean flag, Mode mode, List<String> items, Map<String, String> args) {
        Sample {
            Fields.required("name", name);
        }
    }

    private static Sample read(String json) {
        return Events.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), Sample.class);
    }

    private static InvalidInputException rejected(String json) {
        return assertThrows(InvalidInputException.class, () -> read(json));
    }

    @Test
    void readsAValidEvent() {
        Sample s = read("{\"name\":\"a\",\"count\":3,\"flag\":true,\"mode\":\"SLOW\",\"items\":[\"x\"],\"args\":{\"--"
                + "K\":\"v\"}}");
        assertEquals(new Sample("a", 3, true, Mode.SLOW, List.of("x"), Map.of("--K", "v")), s);
    }

    @ParameterizedTest(name = "{0} -> field ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "{\"name\":\"a\",\"extra\":1}                 | extra",
        "{\"name\":5}                                 | name",
        "{\"name\":\"a\",\"count\":\"5\"}             | count",
        "{\"name\":\"a\",\"count\":1.5}               | count",
        "{\"name\":\"a\",\"flag\":\"true\"}           | flag",
        "{\"name\":\"a\",\"mode\":\"MEDIUM\"}         | mode",
        "{\"name\":\"a\",\"items\":\"x\"}             | items",
        "{\"name\":\"a\",\"items\":[1]}               | items[0]",
        "{\"name\":\"a\",\"args\":{\"--K\":7}}        | args.--K",
        "{}                                           | name",
        "{\"name\":\"  \"}                            | name",
    })
    void rejectsWithTheFieldNamed(String json, String field) {
        assertEquals(field, rejected(json).field());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"not json", "null", "[1,2]", "{\"name\":\"a\"} trailing", "''",
            "{\"name\":\"a\",\"name\":\"b\"}"})
    void rejectsBodiesThatAreNotOneJsonObject(String body) {
        InvalidInputException e = rejected(body);
        assertTrue(e.getMessage().length() > 10, e.getMessage());
    }

    @Test
    void unknownFieldMessageListsTheAcceptedOnes() {
        String message = rejected("{\"name\":\"a\",\"nmae\":1}").getMessage();
        assertTrue(message.contains("unknown field") && message.contains("count") && message.contains("items"),
                message);
    }
}
