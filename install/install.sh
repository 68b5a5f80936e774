#!/usr/bin/env bash
# Installs one edgelog role on a Linux host with systemd.
#
#   usage: install.sh <primary|mirror|edge> [--root DIR] [--jar FILE] [--config FILE] [--no-enable]
#
#   jar     /opt/edgelog/edgelog-<role>.jar       (from --jar, or this checkout's build)
#   config  /etc/edgelog/<role>.yaml              (--config, or the commented example; never overwritten)
#   data    /var/lib/edgelog/<role>               (owner edgelog, 0750)
#   user    edgelog                               (system user, no login; declared in sysusers.d)
#   unit    /etc/systemd/system/edgelog-<role>.service, enabled (started with: systemctl start edgelog-<role>)
#
# --root DIR installs into a staging tree (an image, a test) instead of /: the
# same files, the unit enabled offline; the user and the data directory's owner
# are left to systemd-sysusers and systemd-tmpfiles when that tree boots.
set -euo pipefail

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
role="${1:-}"
[[ "$role" == primary || "$role" == mirror || "$role" == edge ]] || usage
shift
root=/
jar=""
config=""
enable=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --root) root="${2:?--root needs a directory}"; shift 2 ;;
        --jar) jar="${2:?--jar needs a file}"; shift 2 ;;
        --config) config="${2:?--config needs a file}"; shift 2 ;;
        --no-enable) enable=0; shift ;;
        *) echo "install.sh: unknown option $1" >&2; usage ;;
    esac
done

case "$role" in
    primary) module=primary-cluster ;;
    mirror) module=mirror ;;
    edge) module=edge-agent ;;
esac
jar="${jar:-$repo/$module/target/edgelog-$role.jar}"
config="${config:-$here/config/$role.yaml}"
unit="$here/systemd/edgelog-$role.service"
[[ -f "$jar" ]] || { echo "install.sh: no jar at $jar (build it: mvn -B -q package -DskipTests)" >&2; exit 1; }
[[ -f "$config" ]] || { echo "install.sh: no config at $config" >&2; exit 1; }
mkdir -p "$root"
root="$(cd "$root" && pwd)"
staging=0
[[ "$root" == / ]] || staging=1
r="${root%/}"

if command -v java >/dev/null 2>&1; then
    if ! java -jar "$jar" "$role" --config "$config" --check >/dev/null; then
        echo "install.sh: $config is not a valid $role configuration (see above)" >&2
        exit 1
    fi
fi

install -d -m 0755 "$r/opt/edgelog" "$r/etc/edgelog" "$r/etc/systemd/system" \
    "$r/usr/lib/sysusers.d" "$r/usr/lib/tmpfiles.d" "$r/var/lib/edgelog"
install -m 0644 "$jar" "$r/opt/edgelog/edgelog-$role.jar"
install -m 0644 "$repo/README.md" "$r/opt/edgelog/README.md"
install -m 0644 "$unit" "$r/etc/systemd/system/edgelog-$role.service"
printf 'u edgelog - "edgelog SQL log" /var/lib/edgelog /usr/sbin/nologin\n' > "$r/usr/lib/sysusers.d/edgelog.conf"
printf 'd /var/lib/edgelog 0755 root root -\nd /var/lib/edgelog/%s 0750 edgelog edgelog -\n' "$role" \
    > "$r/usr/lib/tmpfiles.d/edgelog-$role.conf"
if [[ -e "$r/etc/edgelog/$role.yaml" ]]; then
    echo "keeping the existing $r/etc/edgelog/$role.yaml"
else
    install -m 0640 "$config" "$r/etc/edgelog/$role.yaml"
fi
install -d -m 0750 "$r/var/lib/edgelog/$role"

if [[ $staging == 0 ]]; then
    systemd-sysusers "$r/usr/lib/sysusers.d/edgelog.conf"
    systemd-tmpfiles --create "$r/usr/lib/tmpfiles.d/edgelog-$role.conf"
    chown root:edgelog "$r/etc/edgelog/$role.yaml"
    systemctl daemon-reload
    if [[ $enable == 1 ]]; then
        systemctl enable "edgelog-$role.service"
    fi
elif [[ $enable == 1 ]]; then
    install -d -m 0755 "$r/etc/systemd/system/multi-user.target.wants"
    ln -sf "/etc/systemd/system/edgelog-$role.service" \
        "$r/etc/systemd/system/multi-user.target.wants/edgelog-$role.service"
fi

echo "installed edgelog $role into $root: /opt/edgelog/edgelog-$role.jar, /etc/edgelog/$role.yaml," \
    "/var/lib/edgelog/$role, edgelog-$role.service$([[ $enable == 1 ]] && echo ' (enabled)')"
if [[ $staging == 0 ]]; then
    echo "edit /etc/edgelog/$role.yaml, then: systemctl start edgelog-$role"
fi
