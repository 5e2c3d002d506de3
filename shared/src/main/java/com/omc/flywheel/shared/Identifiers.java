package com.omc.flywheel.shared;

import com.omc.flywheel.shared.errors.InvalidInputException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * The identifier rules of docs/functions.md. Every name that reaches SQL or an API path goes through
 * one of these first; a value that fails is an {@link InvalidInputException} naming the field.
 */
public final class Identifiers {
    /** Glue database, table and column names (Glue lower-cases them). */
    public static final Pattern CATALOG_NAME = Pattern.compile("^[a-z0-9_]{1,255}$");
    public static final Pattern WORKGROUP = Pattern.compile("^[a-zA-Z0-9._-]{1,128}$");
    public static final Pattern ACCOUNT_ID = Pattern.compile("^[0-9]{12}$");
    public static final Pattern DYNAMODB_TABLE = Pattern.compile("^[a-zA-Z0-9_.-]{3,255}$");
    /** Glue job names as this suite deploys them (letters, digits, '.', '_', '-'). */
    public static final Pattern GLUE_JOB = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$");
    /** Glue job run ids: {@code jr_} and 64 hex digits, with an optional {@code _attempt_N}. */
    public static final Pattern GLUE_JOB_RUN = Pattern.compile("^jr_[0-9a-f]{64}(_attempt_[0-9]+)?$");
    /** Athena query execution ids are UUIDs. */
    public static final Pattern ATHENA_QUERY_ID = Pattern.compile(
            "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    /** A Glue job argument key: {@code --} then a name. */
    public static final Pattern GLUE_ARGUMENT_KEY = Pattern.compile("^--[A-Za-z0-9_.-]{1,128}$");
    private static final Pattern ISO_DATE = Pattern.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");

    private Identifiers() {
    }

    public static String catalogName(String field, String value) {
        return match(field, value, CATALOG_NAME, "must be a Glue name: 1-255 of a-z, 0-9 and _ (lower case)");
    }

    public static String workgroup(String field, String value) {
        return match(field, value, WORKGROUP,
                "must be an Athena workgroup name: 1-128 of A-Z, a-z, 0-9, '.', '_', '-'");
    }

    public static String accountId(String field, String value) {
        return match(field, value, ACCOUNT_ID, "must be a 12-digit AWS account id");
    }

    public static String dynamoDbTable(String field, String value) {
        return match(field, value, DYNAMODB_TABLE, "must be a DynamoDB table name: 3-255 of A-Z, a-z, 0-9, '_', '.', "
                + "'-'");
    }

    public static String glueJob(String field, String value) {
        return match(field, value, GLUE_JOB, "must be a Glue job name: 1-255 of A-Z, a-z, 0-9, '.', '_', '-'");
    }

    public static String glueJobRun(String field, String value) {
        return match(field, value, GLUE_JOB_RUN, "must be a Glue job run id (jr_ followed by 64 hex digits)");
    }

    public static String athenaQueryId(String field, String value) {
        return match(field, value, ATHENA_QUERY_ID, "must be an Athena query execution id (a UUID)");
    }

    /** A calendar date written {@code YYYY-MM-DD}. */
    public static LocalDate isoDate(String field, String value) {
        Fields.required(field, value);
        if (!ISO_DATE.matcher(value).matches()) {
            throw new InvalidInputException(field, "must be a date written YYYY-MM-DD (got '" + value + "')");
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, "'" + value + "' is not a calendar date");
        }
    }

    /** Backquotes a validated catalog name for Athena DDL/DML. */
    public static String quoted(String catalogName) {
        return "`" + catalogName("identifier", catalogName) + "`";
    }

    /** Double-quotes a validated catalog name for Athena's SQL engine (SELECT, CTAS), where backquotes fail. */
    public static String sqlQuoted(String catalogName) {
        return "\"" + catalogName("identifier", catalogName) + "\"";
    }

    private static String match(String field, String value, Pattern pattern, String rule) {
        Fields.required(field, value);
        if (!pattern.matcher(value).matches()) {
            throw new InvalidInputException(field, rule + " (got '" + abbreviate(value) + "')");
        }
        return value;
    }

    private static String abbreviate(String v) {
        return v.length() <= 80 ? v : v.substring(0, 77) + "...";
    }
}
