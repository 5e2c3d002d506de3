# Shared by every functions/<name>/Makefile: how `sam build` (BuildMethod: makefile) builds a
# function. SAM builds each CodeUri folder on its own, but a function needs its sibling `shared`
# module, so the build runs Maven from the repository root (found from this file's own path, which
# works whether SAM runs make in the source folder or in a scratch copy) for this one module and
# what it depends on, then unpacks the same zip `bin/flywheel invoke` uses into ARTIFACTS_DIR.
FLYWHEEL_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)

define lambda_build
	mvn -B -q -f "$(FLYWHEEL_ROOT)/pom.xml" -pl "functions/$(1)" -am package -DskipTests
	mkdir -p "$(ARTIFACTS_DIR)"
	cd "$(ARTIFACTS_DIR)" && unzip -o -q "$(FLYWHEEL_ROOT)/functions/$(1)/target/$(1)-lambda.zip"
endef
