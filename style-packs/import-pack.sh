#!/usr/bin/env bash
# Imports a style-pack jar written by `./penwright train style` as a module of this folder, so that the Maven build
# rebuilds the pack from its files (style/) and the runtime deploys it by default.
# Usage: style-packs/import-pack.sh path/to/<id>-<version>.jar
set -euo pipefail
jar="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$(unzip -p "$jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n //g')"
id="$(sed -n 's/^Penwright-StylePack: *//p' <<<"$manifest")"
version="$(sed -n 's/^Bundle-Version: *//p' <<<"$manifest")"
[[ -n "$id" && -n "$version" ]] || { echo "import-pack: $jar is not a style pack (no Penwright-StylePack header)" >&2; exit 2; }
module="$here/$id"
rm -rf "$module/style"
mkdir -p "$module"
(cd "$module" && unzip -q "$jar" 'style/*')
cat > "$module/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>dev.penwright.stylepack</groupId>
    <artifactId>penwright-style-packs</artifactId>
    <version>0.1.0-SNAPSHOT</version>
  </parent>
  <artifactId>${id}</artifactId>
  <name>Penwright style pack: ${id}</name>
  <description>Imported from $(basename "$jar") by import-pack.sh; style/ is the trainer's output.</description>
  <properties>
    <pack.id>${id}</pack.id>
    <pack.version>${version}</pack.version>
  </properties>
</project>
POM
if ! grep -q "<module>${id}</module>" "$here/pom.xml"; then
  sed -i "s|  </modules>|    <module>${id}</module>\n  </modules>|" "$here/pom.xml"
fi
echo "imported ${id} ${version} into ${module}"
