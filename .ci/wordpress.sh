#!/usr/bin/env bash
# A real WordPress on 127.0.0.1 for tests/test_wordpress_real.py: Debian's wordpress package,
# MariaDB and PHP's built-in web server (no Apache), a site, an administrator, a contributor
# and an application password for each. Writes the address and the credentials to
# $CROSSPOST_WP_ENV (default /tmp/crosspost-wp.env), which the tests read.
#
# Idempotent: a second run only checks that MariaDB and the web server answer and that the
# saved application password still works (about a second). Needs root (apt-get, MariaDB).
set -euo pipefail

PORT="${CROSSPOST_WP_PORT:-8765}"
HOST=127.0.0.1
URL="http://$HOST:$PORT"
ENV_FILE="${CROSSPOST_WP_ENV:-/tmp/crosspost-wp.env}"
STATE=/var/lib/crosspost-wp
DB=crosspost_wp
DB_USER=crosspost_wp
WP=/usr/share/wordpress

log() { echo "wordpress.sh: $*" >&2; }

# 1. packages (about 90 s the first time)
if [ ! -f "$WP/wp-settings.php" ] || ! command -v mariadbd >/dev/null 2>&1 \
        || [ ! -d "$WP/wp-content/themes/twentytwentyone" ] || ! command -v curl >/dev/null 2>&1; then
    log "installing wordpress, mariadb-server, php"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        wordpress wordpress-theme-twentytwentyone mariadb-server php-cli php-mysql curl >/dev/null
fi
mkdir -p "$STATE"
chmod 700 "$STATE"

# 2. MariaDB (no systemd in containers: the init script, else mysqld_safe)
if ! mysqladmin --silent ping >/dev/null 2>&1; then
    log "starting MariaDB"
    service mariadb start >/dev/null 2>&1 || (setsid mysqld_safe >/dev/null 2>&1 &)
    for _ in $(seq 1 60); do mysqladmin --silent ping >/dev/null 2>&1 && break; sleep 0.5; done
    mysqladmin --silent ping >/dev/null
fi
if [ ! -s "$STATE/db-password" ]; then
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STATE/db-password"
fi
DB_PASS="$(cat "$STATE/db-password")"
mysql -uroot <<SQL
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON $DB.* TO '$DB_USER'@'localhost';
SQL

# 3. WordPress's Debian config for this host (wp-config.php picks /etc/wordpress/config-<host>.php).
# WP_ENVIRONMENT_TYPE=local: application passwords need HTTPS otherwise (wp_is_application_passwords_supported).
cat > "/etc/wordpress/config-$HOST.php" <<PHP
<?php
define('DB_NAME', '$DB');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASS');
define('DB_HOST', 'localhost');
define('WP_HOME', '$URL');
define('WP_SITEURL', '$URL');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('WP_CONTENT_URL', '$URL/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
PHP
chmod 640 "/etc/wordpress/config-$HOST.php"

# 4. the router for php -S: real files as they are (uploads live under WP_CONTENT_DIR), every
# other path to index.php so pretty permalinks and /wp-json/ work as under Apache's rewrite.
cat > "$STATE/router.php" <<'PHP'
<?php
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
if (strpos($path, '/wp-content/') === 0 && strpos($path, '..') === false) {
    $file = '/var/lib/wordpress' . $path;
    if (is_file($file) && substr($file, -4) !== '.php') {
        $type = function_exists('mime_content_type') ? mime_content_type($file) : 'application/octet-stream';
        header('Content-Type: ' . $type);
        readfile($file);
        return true;
    }
}
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && is_file($file)) {
    if (substr($file, -4) === '.php') {
        $_SERVER['SCRIPT_NAME'] = $path;
        $_SERVER['SCRIPT_FILENAME'] = $file;
        chdir(dirname($file));
        require $file;
        return true;
    }
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
PHP

# 5. the web server (4 workers: the crash test runs crosspost while the test reads the API)
answers() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$URL/wp-login.php" | grep -qE '^(200|302)$'; }
if ! answers; then
    log "starting php -S $HOST:$PORT"
    (cd "$WP" && PHP_CLI_SERVER_WORKERS=4 setsid php -d upload_max_filesize=32M -d post_max_size=64M \
        -S "$HOST:$PORT" -t "$WP" "$STATE/router.php" >"$STATE/server.log" 2>&1 &)
    for _ in $(seq 1 50); do answers && break; sleep 0.2; done
    answers || { log "the web server does not answer; see $STATE/server.log"; exit 1; }
fi

# 6. already set up and the saved password still works: done
if [ -s "$ENV_FILE" ]; then
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' -u "$CROSSPOST_WP_USER:$CROSSPOST_WP_APP_PASSWORD" \
        "$URL/wp-json/wp/v2/users/me?context=edit" || true)"
    if [ "$code" = 200 ] && [ "${CROSSPOST_WP_URL:-}" = "$URL" ]; then
        log "ready at $URL (already set up)"
        exit 0
    fi
fi

# 7. the site, its users and their application passwords, through WordPress's own functions
cat > "$STATE/setup.php" <<'PHP'
<?php
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
function wp_mail() { return true; }  // pluggable: no sendmail here, and no mail to send
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
if (!is_blog_installed()) {
    wp_install('Kementerian Uji', 'humas', 'humas@example.go.id', false, '', wp_generate_password(24));
}
switch_theme('twentytwentyone');
update_option('permalink_structure', '/%category%/%postname%/');
update_option('timezone_string', 'Asia/Jakarta');
update_option('blog_public', '0');
flush_rewrite_rules(true);
$out = array();
foreach (array('humas' => 'administrator', 'kontributor' => 'contributor') as $login => $role) {
    $user = get_user_by('login', $login);
    if (!$user) {
        $id = wp_insert_user(array('user_login' => $login, 'user_pass' => wp_generate_password(24),
                                   'user_email' => $login . '@example.go.id', 'role' => $role));
        $user = get_user_by('id', $id);
    }
    $user->set_role($role);
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] === 'crosspost-ci') {
            WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
        }
    }
    $made = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'crosspost-ci'));
    if (is_wp_error($made)) {
        fwrite(STDERR, $made->get_error_message() . "\n");
        exit(1);
    }
    $out[$login] = WP_Application_Passwords::chunk_password($made[0]);
}
echo json_encode($out);
PHP
json="$(php "$STATE/setup.php")"
admin_pw="$(printf '%s' "$json" | php -r 'echo json_decode(stream_get_contents(STDIN), true)["humas"];')"
contrib_pw="$(printf '%s' "$json" | php -r 'echo json_decode(stream_get_contents(STDIN), true)["kontributor"];')"
umask 077
cat > "$ENV_FILE" <<ENV
CROSSPOST_WP_URL='$URL'
CROSSPOST_WP_USER='humas'
CROSSPOST_WP_APP_PASSWORD='$admin_pw'
CROSSPOST_WP_CONTRIBUTOR='kontributor'
CROSSPOST_WP_CONTRIBUTOR_PASSWORD='$contrib_pw'
ENV
code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' -u "humas:$admin_pw" "$URL/wp-json/wp/v2/users/me?context=edit")"
[ "$code" = 200 ] || { log "the application password is refused (HTTP $code)"; exit 1; }
log "ready at $URL (credentials in $ENV_FILE)"
