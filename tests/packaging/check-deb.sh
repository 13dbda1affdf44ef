#!/usr/bin/env bash
# Builds the OrderStream Debian package with cpack and checks it.
#   check-deb.sh CPACK CPACK_CONFIG PACKAGING_SOURCE_DIR
# Every check prints one line: "ok:", "FAILED:" with the missing item, or
# "skipped:" with the reason. The exit status is 1 if any check failed.
set -uo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 CPACK CPACK_CONFIG PACKAGING_SOURCE_DIR" >&2
    exit 2
fi
cpack=$1
cpack_config=$2
packaging_dir=$3

failures=0
pass() { echo "ok: $*"; }
fail() {
    echo "FAILED: $*"
    failures=$((failures + 1))
}
skip() { echo "skipped: $*"; }

# cpack writes its staging tree and the package below -B, a new temporary
# folder, so parallel runs share no files.
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/orderstream-deb.XXXXXX")
trap 'rm -rf "$work_dir"' EXIT

if ! "$cpack" -G DEB --config "$cpack_config" -B "$work_dir/cpack" >"$work_dir/cpack.log" 2>&1; then
    cat "$work_dir/cpack.log"
    echo "FAILED: cpack could not build the package (output above)"
    exit 1
fi
packages=("$work_dir"/cpack/orderstream_*.deb)
if [[ ${#packages[@]} -ne 1 || ! -f ${packages[0]} ]]; then
    echo "FAILED: cpack wrote no orderstream_*.deb to $work_dir/cpack"
    exit 1
fi
deb=${packages[0]}
pass "cpack built $(basename "$deb")"

root=$work_dir/root
control=$work_dir/control
dpkg-deb --extract "$deb" "$root"
dpkg-deb --control "$deb" "$control"

# Files. dpkg-deb --contents prints "mode owner size date time ./path".
dpkg-deb --contents "$deb" | awk '{ sub(/^\./, "", $6); print $1, $2, $6 }' >"$work_dir/contents"
expected_files=(
    /usr/bin/orderstream
    /usr/share/applications/org.orderstream.OrderStream.desktop
    /usr/share/icons/hicolor/scalable/apps/org.orderstream.OrderStream.svg
    /usr/share/metainfo/org.orderstream.OrderStream.metainfo.xml
    /usr/share/man/man1/orderstream.1.gz
    /usr/share/doc/orderstream/copyright
    /usr/share/doc/orderstream/changelog.Debian.gz
    /lib/systemd/system/orderstream.service
    /lib/systemd/system/orderstream@.service
    /etc/orderstream/orderstream.conf
    /etc/default/orderstream
)
for file in "${expected_files[@]}"; do
    if awk -v path="$file" '$3 == path { found = 1 } END { exit !found }' "$work_dir/contents"; then
        pass "package contains $file"
    else
        fail "package lacks $file"
    fi
done
if awk '$3 == "/usr/bin/orderstream" && $1 == "-rwxr-xr-x" { found = 1 } END { exit !found }' "$work_dir/contents"; then
    pass "/usr/bin/orderstream has mode 0755"
else
    fail "/usr/bin/orderstream does not have mode 0755"
fi
not_root=$(awk '$2 != "root/root" { print $3 }' "$work_dir/contents")
if [[ -z $not_root ]]; then
    pass "every file belongs to root/root"
else
    fail "files not owned by root/root: $not_root"
fi

# Control fields.
depends=$(dpkg-deb --field "$deb" Depends)
# Package names, one per line, from "a (>= 1), b | c".
depends_names=$(tr ',|' '\n\n' <<<"$depends" | awk 'NF { print $1 }')
required_depends=(
    libqt6core6 libqt6gui6 libqt6network6 libqt6httpserver6 libqt6sql6 libqt6widgets6
    libqt6sql6-sqlite adduser
)
for name in "${required_depends[@]}"; do
    if grep -qFx "$name" <<<"$depends_names"; then
        pass "Depends names $name"
    else
        fail "Depends lacks $name (Depends: $depends). The Qt libraries come from dpkg-shlibdeps: install dpkg-dev and configure again"
    fi
done
# The package name carries the soname: libhiredis0.14 on Debian 12.
if grep -qE '^libhiredis[0-9]' <<<"$depends_names"; then
    pass "Depends names $(grep -E '^libhiredis[0-9]' <<<"$depends_names")"
else
    fail "Depends lacks libhiredis (libhiredis0.14 on Debian 12; Depends: $depends)"
fi

maintainer=$(dpkg-deb --field "$deb" Maintainer)
maintainer_pattern='^[^<]+ <[^@>]+@[^>]+>$'
if [[ $maintainer =~ $maintainer_pattern ]]; then
    pass "Maintainer is a name and an address: $maintainer"
else
    fail "Maintainer is not \"Name <address>\": $maintainer"
fi

version=$(dpkg-deb --field "$deb" Version)
changelog_version=$(dpkg-parsechangelog -l "$packaging_dir/changelog" -S Version)
if [[ $version == "$changelog_version" ]]; then
    pass "Version $version matches the newest entry of packaging/changelog"
else
    fail "Version $version differs from $changelog_version, the newest entry of packaging/changelog: add an entry for $version"
fi
if cmp -s "$packaging_dir/changelog" <(gzip -dc "$root/usr/share/doc/orderstream/changelog.Debian.gz" 2>/dev/null); then
    pass "changelog.Debian.gz is packaging/changelog"
else
    fail "changelog.Debian.gz is missing or differs from packaging/changelog"
fi

# Every file below /etc is a conffile, so dpkg keeps an administrator's changes.
etc_files=$(awk '$1 ~ /^-/ && $3 ~ /^\/etc\// { print $3 }' "$work_dir/contents")
for file in $etc_files; do
    if grep -qFx "$file" "$control/conffiles" 2>/dev/null; then
        pass "conffiles lists $file"
    else
        fail "conffiles lacks $file"
    fi
done
for file in /etc/orderstream/orderstream.conf /etc/default/orderstream; do
    if ! grep -qFx "$file" <<<"$etc_files"; then
        fail "no $file below /etc to list in conffiles"
    fi
done

for script in postinst prerm postrm; do
    if [[ ! -x $control/$script ]]; then
        fail "maintainer script $script is missing or not executable"
    elif ! sh -n "$control/$script"; then
        fail "maintainer script $script has a syntax error"
    else
        pass "maintainer script $script is executable and parses"
    fi
done

# Desktop entry and AppStream metadata. desktop-file-validate exits with 0
# after hints, so any output counts as a failure.
desktop_file=$root/usr/share/applications/org.orderstream.OrderStream.desktop
if ! command -v desktop-file-validate >/dev/null; then
    fail "desktop-file-validate not found: install desktop-file-utils"
elif output=$(desktop-file-validate "$desktop_file" 2>&1) && [[ -z $output ]]; then
    pass "desktop-file-validate accepts the desktop entry"
else
    fail "desktop-file-validate rejects the desktop entry: $output"
fi
metainfo_file=$root/usr/share/metainfo/org.orderstream.OrderStream.metainfo.xml
if ! command -v appstreamcli >/dev/null; then
    fail "appstreamcli not found: install appstream"
elif output=$(appstreamcli validate --no-net --pedantic "$metainfo_file" 2>&1); then
    pass "appstreamcli validate --pedantic accepts the metainfo"
else
    fail "appstreamcli validate --pedantic rejects the metainfo: $output"
fi

# systemd units. systemd-analyze verify needs no running systemd, but it loads
# the units' dependencies and checks that the ExecStart= binary exists. So it
# runs with --root on a folder that contains the host's units, the package's
# units and the binary. A unit that only starts the binary shows first whether
# verify works on this host at all.
systemd_root=$work_dir/systemd-root
verify_units() {
    systemd-analyze verify --man=no --root="$systemd_root" "$@" 2>&1
}
if ! command -v systemd-analyze >/dev/null; then
    skip "systemd-analyze verify: systemd is not installed"
else
    mkdir -p "$systemd_root/lib/systemd/system" "$systemd_root/usr/bin"
    for units_dir in /usr/lib/systemd/system /lib/systemd/system; do
        if [[ -d $units_dir ]]; then
            cp -a "$units_dir/." "$systemd_root/lib/systemd/system/"
        fi
    done
    cp "$root"/lib/systemd/system/*.service "$systemd_root/lib/systemd/system/"
    cp "$root/usr/bin/orderstream" "$systemd_root/usr/bin/"
    printf '[Service]\nExecStart=/usr/bin/orderstream --version\n' \
        >"$systemd_root/lib/systemd/system/orderstream-probe.service"
    if ! probe_output=$(verify_units orderstream-probe.service) || [[ -n $probe_output ]]; then
        skip "systemd-analyze verify does not work on this host: $probe_output"
    else
        for unit in orderstream.service orderstream@8081.service; do
            if output=$(verify_units "$unit") && [[ -z $output ]]; then
                pass "systemd-analyze verify accepts $unit"
            else
                fail "systemd-analyze verify rejects $unit: $output"
            fi
        done
    fi
fi

# lintian is large, so scripts/install-deps.sh does not install it.
# docs/packaging.md lists the info-level tags that remain.
if ! command -v lintian >/dev/null; then
    skip "lintian is not installed"
elif lintian --fail-on error,warning "$deb" >"$work_dir/lintian.log" 2>&1; then
    pass "lintian reports no errors or warnings"
else
    fail "lintian reports: $(grep -v '^running with root privileges' "$work_dir/lintian.log")"
fi

if [[ $failures -ne 0 ]]; then
    echo "$failures checks failed"
    exit 1
fi
echo "every check passed"
