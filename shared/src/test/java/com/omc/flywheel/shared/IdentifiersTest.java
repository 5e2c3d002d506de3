package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.shared.errors.InvalidInputException;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {
    @ParameterizedTest
    @ValueSource(strings = {"part_x; DROP TABLE y", "Part_IBE_01", "", " ", "part-ibe", "part_ibe`", "a.b", "tablé"})
    void catalogNamesThatCouldBreakSqlAreRejected(String name) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Identifiers.catalogName("table", name));
        assertEquals("table", e.field());
    }

    @Test
    void catalogNameLengthIsBounded() {
        assertEquals("a".repeat(255), Identifiers.catalogName("t", "a".repeat(255)));
        assertThrows(InvalidInputException.class, () -> Identifiers.catalogName("t", "a".repeat(256)));
    }

    @Test
    void quotedNamesAreBackquotedOnlyAfterValidation() {
        assertEquals("`part_ibe_01`", Identifiers.quoted("part_ibe_01"));
        assertThrows(InvalidInputException.class, () -> Identifiers.quoted("x` OR 1=1 --"));
    }

    @Test
    void datesMustBeRealCalendarDays() {
        assertEquals(LocalDate.of(2024, 2, 29), Identifiers.isoDate("d", "2024-02-29"));
        for (String bad : new String[] {"2023-02-29", "2025-13-01", "2025-1-01", "20251001", "2025-10-22T00:00"}) {
            assertThrows(InvalidInputException.class, () -> Identifiers.isoDate("d", bad), bad);
        }
    }

    @Test
    void otherIdentifiers() {
        Identifiers.accountId("a", "123456789012");
        assertThrows(InvalidInputException.class, () -> Identifiers.accountId("a", "12345678901"));
        Identifiers.workgroup("w", "primary");
        assertThrows(InvalidInputException.class, () -> Identifiers.workgroup("w", "prim ary"));
        Identifiers.dynamoDbTable("r", "topic-registry.v1");
        assertThrows(InvalidInputException.class, () -> Identifiers.dynamoDbTable("r", "ab"));
        Identifiers.glueJobRun("r", "jr_" + "a".repeat(64));
        assertThrows(InvalidInputException.class, () -> Identifiers.glueJobRun("r", "jr_123"));
        Identifiers.athenaQueryId("q", "d5ebd4b5-efdb-4945-9458-f7a08e3cc2d7");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Identifiers.glueJob("jobName", "bad job"));
        assertTrue(e.getMessage().contains("jobName"), e.getMessage());
    }
}
