package com.omc.flywheel.local.iam;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Marks every request of a function with the function's name, so the local IAM check knows whose
 * role makes the call (on Lambda, the function's role credentials say it). Never part of a
 * deployment package: {@code FunctionPackages} defines this class inside each function's own class
 * loader, next to the SDK's global interceptor list, and the loader's name says which function it
 * is ({@code function:<name>-lambda}). In {@code bin/flywheel invoke}'s JVM, where the function is on
 * the application class path, the system property {@value #PROPERTY} names it; with neither, the
 * request is left as it is.
 */
public final class PrincipalHeader implements ExecutionInterceptor {
    public static final String HEADER = "x-flywheel-local-principal";
    public static final String PROPERTY = "flywheel.local.principal";
    private final String function;

    public PrincipalHeader() {
        String loader = String.valueOf(getClass().getClassLoader().getName());
        if (loader.startsWith("function:")) {
            String name = loader.substring("function:".length());
            this.function = name.endsWith("-lambda") ? name.substring(0, name.length() - "-lambda".length()) : name;
        } else {
            this.function = null;
        }
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
            ExecutionAttributes executionAttributes) {
        String name = function != null ? function : System.getProperty(PROPERTY);
        return name == null ? context.httpRequest() : context.httpRequest().toBuilder().putHeader(HEADER, name).build();
    }
}
