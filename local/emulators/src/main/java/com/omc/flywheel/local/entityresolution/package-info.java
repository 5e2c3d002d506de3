/**
 * A local stand-in for AWS Entity Resolution (moto does not emulate it), served by the Clean Rooms
 * stand-in's server ({@link com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn}, which also seeds
 * it): {@link com.omc.flywheel.local.entityresolution.EntityResolutionResponses} (moto's
 * {@code responses.py}) and {@link com.omc.flywheel.local.entityresolution.EntityResolutionBackend}
 * ({@code models.py}): ID namespaces and schema mappings, seeded, read and listed.
 *
 * <p>Faithful to the official model (botocore's {@code entityresolution/2018-05-10/service-2.json}):
 * requests reach these operations through the model's HTTP bindings, are validated against its input
 * shapes, and the answers are checked against its output shapes, as for Clean Rooms; a missing
 * resource is the model's ResourceNotFoundException. Clean Rooms' side of entity resolution (ID
 * namespace associations, ID mapping tables) is Clean Rooms API and lives in
 * {@code com.omc.flywheel.local.cleanrooms}; it reads a namespace's type from here. Every other
 * operation of the model (workflows, matching jobs, Create/Update/Delete) answers 501.
 */
package com.omc.flywheel.local.entityresolution;
