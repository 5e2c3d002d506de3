/**
 * A local stand-in for AWS Clean Rooms (moto does not emulate it), after moto's
 * {@code moto/cleanrooms/}: {@link com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn} (lifecycle,
 * seeding, faults), {@link com.omc.flywheel.local.cleanrooms.RestJsonFrontDoor} and
 * {@link com.omc.flywheel.local.cleanrooms.OperationRouter} ({@code urls.py}),
 * {@link com.omc.flywheel.local.cleanrooms.CleanRoomsResponses} ({@code responses.py}),
 * {@link com.omc.flywheel.local.cleanrooms.CleanRoomsBackend} with
 * {@link com.omc.flywheel.local.cleanrooms.PrivacyBudgetTemplates},
 * {@link com.omc.flywheel.local.cleanrooms.IdMappingBackend} and
 * {@link com.omc.flywheel.local.cleanrooms.CollaborationSchemas} ({@code models.py}), and
 * {@link com.omc.flywheel.local.cleanrooms.ApiError} ({@code exceptions.py}). The same server also
 * answers Entity Resolution ({@link com.omc.flywheel.local.entityresolution}).
 *
 * <p>Faithful to the official model (botocore's {@code cleanrooms/2022-02-17/service-2.json}, read by
 * {@link com.omc.flywheel.local.cleanrooms.ServiceModel}; {@code iam.ApiActions} reads it too): every
 * request is routed by the model's HTTP method and path template; its input is assembled from the
 * model's path, query and body bindings and validated against the input shape (required members,
 * unions, lengths, patterns, enums, ranges) with the service's ValidationException and fieldList;
 * every answer is checked against the output shape's required members, types and enums (a breach
 * is a 500, a stand-in bug); errors carry the model's error shapes and members (ConflictException
 * reason, ResourceNotFoundException resourceType, ServiceQuotaExceededException quotaValue).
 *
 * <p>Not the model but the service's behaviour, from its documentation: the invariants of
 * {@code CleanRoomsBackend} and {@code PrivacyBudgetTemplates} (ALREADY_EXISTS, SUBRESOURCES_EXIST,
 * the association quota, result receivers), the Glue catalog check, ARNs as the Service
 * Authorization Reference gives them, and schemas derived from associations. Operations the model
 * has and the stand-in does not implement answer 501 NotImplementedException (the list is in
 * {@code local/emulators/README.md}); collaborations are seeded, not created through the API.
 */
package com.omc.flywheel.local.cleanrooms;
