package com.omc.flywheel.local.cleanrooms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** local/emulators/README.md's table of implemented operations is what the stand-ins implement today. */
class OperationsTableTest {

    @Test
    void theReadmesOperationsTableIsCurrent() throws Exception {
        Path readme = OperationsTable.readme();
        String text = Files.readString(readme);
        String table = OperationsTable.markdown();
        if (Boolean.getBoolean("refreshReadme")) {
            Files.writeString(readme, OperationsTable.withTable(text, table));
            return;
        }
        assertEquals(OperationsTable.withTable(text, table), text, readme.toAbsolutePath()
                + "'s operations table is stale (a stand-in or the botocore models changed). Refresh it with: "
                + OperationsTable.REFRESH);
    }

    @Test
    void theTableSaysWhatTheStandInsAnswer() {
        String table = OperationsTable.markdown();
        for (String row : new String[] {"| CreateConfiguredTableAssociation | implemented |",
                "| CreateCollaboration | — |", "| GetIdNamespace | implemented |",
                "| StartQueryExecution | the QueryString is a CTAS |",
                "| GetQueryExecution | the query is one the stand-in started |"}) {
            assertTrue(table.contains(row), row + " missing from\n" + table);
        }
    }
}
