package com.omc.flywheel.buildreport;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

/**
 * Values written the way today's Python reports write them, so downstream readers see the same text.
 */
final class PythonFormats {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private PythonFormats() {
    }

    /** {@code datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")}: {@code 2025-11-01T02:00:05Z}. */
    static String secondsZ(Instant t) {
        return SECONDS.format(t) + "Z";
    }

    /**
     * {@code datetime.utcnow().isoformat() + "Z"}: microseconds when there are any
     * ({@code 2025-11-01T02:00:05.194129Z}), none when they are zero ({@code 2025-11-01T02:00:05Z}).
     */
    static String isoformatZ(Instant t) {
        return isoformat(t) + "Z";
    }

    /** {@code isoformat()} of an aware UTC datetime (botocore's timestamps): {@code 2025-10-01T12:00:00.5+00:00}. */
    static String isoformatUtc(Instant t) {
        return isoformat(t) + "+00:00";
    }

    private static String isoformat(Instant t) {
        Instant micros = t.truncatedTo(ChronoUnit.MICROS);
        String base = SECONDS.format(micros);
        int us = micros.getNano() / 1_000;
        return us == 0 ? base : base + String.format(java.util.Locale.ROOT, ".%06d", us);
    }

    /**
     * {@code f"{x:.Nf}"}: the double's exact binary value rounded half-even to {@code digits} decimals,
     * as Python does ({@code 0.125 -> "0.12"}, where Java's {@code %.2f} gives "0.13").
     */
    static String fixed(double x, int digits) {
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** {@code repr()} of a list of strings and numbers: {@code ['a', 'b']}, {@code [5, 6]}, {@code []}. */
    static String repr(List<?> values) {
        return values.stream().map(v -> v instanceof String s ? repr(s) : String.valueOf(v))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /** {@code repr()} of a str: single quotes, unless it holds a single quote and no double quote. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c == quote) {
                        b.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append(quote).toString();
    }

    /**
     * An SDK response object as boto3 gives it: a dict of the members present, under their wire names
     * ({@code idMappingType}, {@code ruleBasedProperties}, ...); absent members are left out.
     */
    static Map<String, Object> raw(SdkPojo pojo) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (SdkField<?> f : pojo.sdkFields()) {
            Object v = rawValue(f.getValueOrDefault(pojo));
            if (v != null) {
                out.put(f.locationName(), v);
            }
        }
        return out;
    }

    private static Object rawValue(Object v) {
        if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) {
            return null;
        }
        if (v instanceof SdkPojo p) {
            return raw(p);
        }
        if (v instanceof List<?> l) {
            return l.stream().map(PythonFormats::rawValue).toList();
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, rawValue(x)));
            return out;
        }
        if (v instanceof Document d) {
            return d.isNull() ? null : d.unwrap();
        }
        if (v instanceof Instant t) {
            return isoformatUtc(t);
        }
        return v;
    }
}
