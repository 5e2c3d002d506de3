package com.omc.flywheel.shared;

/**
 * Configuration from environment variables (set in template.yaml), with a Java system property of
 * the same name as a fallback so tests can configure a handler without touching the environment.
 */
public final class Settings {
    private Settings() {
    }

    public static String value(String name, String fallback) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            v = System.getProperty(name);
        }
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public static int intValue(String name, int fallback) {
        String v = value(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(v);
            if (parsed <= 0) {
                throw new NumberFormatException("not positive");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + "='" + v
                    + "' must be a positive whole number; fix it in template.yaml or the env-vars file");
        }
    }
}
