#!/usr/bin/env bash
# Builds the Debian package of the gateway: a self-contained `dotnet publish` (no .NET runtime needed on the hub)
# under /usr/lib/vitals-gateway, the CLI wrapper /usr/bin/vitals-gateway, the systemd unit, the default configuration
# /etc/vitals-gateway/appsettings.json (a conffile) and the maintainer scripts, all from scripts/deb/.
#
#   bash scripts/package-deb.sh [--out DIR] [--rid linux-x64|linux-arm64] [--version V]
#
# Prints the path of the .deb as its last line. Needs the .NET SDK and dpkg-deb; builds in a temporary folder, so the
# repository's bin/ and obj/ are left alone. DEB_COMPRESSION (gzip) is passed to dpkg-deb -Z.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
templates="$root/scripts/deb"

out="$root/dist"
rid=linux-x64
version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --rid) rid=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$rid" in
  linux-x64) arch=amd64 ;;
  linux-arm64) arch=arm64 ;;
  *) echo "unsupported --rid $rid (linux-x64 or linux-arm64)" >&2; exit 2 ;;
esac
if [ -z "$version" ]; then
  # Debian version order: 0.1.0+git20261205.ac97d4f sorts after 0.1.0 and by commit date.
  if sha=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
    version="0.1.0+git$(git -C "$root" log -1 --format=%cd --date=format:%Y%m%d%H%M).$sha"
  else
    version=0.1.0
  fi
fi
command -v dpkg-deb >/dev/null || { echo "dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/root"
lib="$stage/usr/lib/vitals-gateway"

echo "== dotnet publish Gateway ($rid, self-contained)" >&2
# --artifacts-path: bin/ and obj/ of this build in the temporary folder, apart from the developer's Debug build.
dotnet publish "$root/Gateway/Gateway.csproj" -c Release -r "$rid" --self-contained true \
  --artifacts-path "$work/artifacts" -o "$lib" -nologo -v q \
  -p:DebugType=none -p:DebugSymbols=false -p:GenerateDocumentationFile=false >&2
# The configuration lives in /etc (VITALS_GATEWAY_CONFIG_DIR), not beside the binaries an upgrade replaces.
rm -f "$lib/appsettings.json" "$lib"/*.pdb
# NuGet hands out its native libraries 0744; Debian's are 0644, with only the programs executable.
find "$lib" -type f -exec chmod 0644 {} +
chmod 0755 "$lib/Vitals.Gateway" "$lib/createdump"

install -d -m 0755 "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/vitals-gateway" \
  "$stage/usr/share/doc/vitals-gateway"
install -m 0755 "$templates/vitals-gateway" "$stage/usr/bin/vitals-gateway"
install -m 0644 "$templates/vitals-gateway.service" "$stage/lib/systemd/system/vitals-gateway.service"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/vitals-gateway/README.md"
# The repository's appsettings.json with the store in the unit's StateDirectory (an absolute path: the CLI wrapper runs
# from any working directory).
sed 's|"Path": "data/gateway.db"|"Path": "/var/lib/vitals-gateway/gateway.db"|' "$root/appsettings.json" \
  > "$stage/etc/vitals-gateway/appsettings.json"
grep -q '"/var/lib/vitals-gateway/gateway.db"' "$stage/etc/vitals-gateway/appsettings.json" \
  || { echo "appsettings.json: Storage:Path not found to rewrite" >&2; exit 1; }
# 0640 root:root in the package; postinst hands it to the service's group once that exists.
chmod 0640 "$stage/etc/vitals-gateway/appsettings.json"
chmod 0750 "$stage/etc/vitals-gateway"
for script in postinst prerm postrm; do
  install -m 0755 "$templates/$script" "$stage/DEBIAN/$script"
done
install -m 0644 "$templates/conffiles" "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@INSTALLED_SIZE@|$size|" \
  "$templates/control.in" > "$stage/DEBIAN/control"

mkdir -p "$out"
deb="$out/vitals-gateway_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-gzip}" --build "$stage" "$deb" >&2
echo "$deb"
