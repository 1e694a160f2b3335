#!/usr/bin/env bash
# Build a throwaway CAS server project for the specs in DIR (default /tmp/cas-server) on Debian's
# django-cas-server (2.0.0; `apt-get install python3-django-cas-server`): sqlite DB, test users
# alice, bob, carol, zhang, ouyang, wei with attributes, one ServicePattern for loopback services (all
# attributes, proxy + proxy callback, single logout). spec/support/real-cas.ts runs it.
#
#   setup.sh [DIR]
#
# Re-running it is safe: it rewrites the project files and recreates the DB.
# Environment knobs read at *run* time by the generated settings.py:
#   CAS_PEER_TICKET_VALIDITY   seconds an ST/PT stays valid (default 60)
#   CAS_PEER_PROXY_CA          CA bundle used to verify https pgtUrl callbacks and SLO POSTs
#                              (default: python-requests' own bundle)
#   CAS_PEER_DEBUG=1           Django DEBUG mode
set -euo pipefail
DIR="${1:-/tmp/cas-server}"
PY=/usr/bin/python3          # Debian's python; a pyenv "python3" on PATH does not see apt packages

if ! $PY -c 'import cas_server' >/dev/null 2>&1; then
  echo "python3-django-cas-server is not installed (apt-get install python3-django-cas-server)" >&2
  exit 3
fi

mkdir -p "$DIR/casproject"
rm -f "$DIR/db.sqlite3"

cat > "$DIR/manage.py" <<'EOF'
#!/usr/bin/python3
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casproject.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
EOF
chmod +x "$DIR/manage.py"

: > "$DIR/casproject/__init__.py"

cat > "$DIR/casproject/settings.py" <<'EOF'
"""Minimal Django project hosting django-cas-server for local tests only."""
import os
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "cas-peer-test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = os.environ.get("CAS_PEER_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cas_server",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
]
ROOT_URLCONF = "casproject.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "casproject.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "static")

# ---- django-cas-server ----
CAS_AUTH_CLASS = "casproject.peer_auth.PeerUsers"
CAS_TICKET_VALIDITY = int(os.environ.get("CAS_PEER_TICKET_VALIDITY", "60"))
CAS_PROXY_CA_CERTIFICATE_PATH = os.environ.get("CAS_PEER_PROXY_CA") or True
if os.environ.get("CAS_PEER_PROXY_CA"):
    # single-logout POSTs ignore CAS_PROXY_CA_CERTIFICATE_PATH (requests' default verify);
    # make them trust the same CA so SLO to https services on loopback works too
    os.environ["REQUESTS_CA_BUNDLE"] = os.environ["CAS_PEER_PROXY_CA"]
CAS_NEW_VERSION_HTML_WARNING = False    # otherwise it polls pypi.org
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_POWERED = False
# The default templates pull bootstrap/jquery from public CDNs; a browser driven against this
# peer must not reach out, so every component URL is an empty data: URL (page is unstyled).
CAS_COMPONENT_URLS = {k: ("data:text/css," if k.endswith("css") else "data:text/javascript,")
                      for k in ("bootstrap3_css", "bootstrap3_js", "html5shiv", "respond",
                                "bootstrap4_css", "bootstrap4_js", "jquery")}
CAS_INFO_MESSAGES_ORDER = []
CAS_SLO_TIMEOUT = 5

# Users known to this CAS (username -> password + attributes released to services).
CAS_PEER_USERS = {
    "alice": {
        "password": "alice-pass",
        "attributes": {
            "uid": "alice",
            "email": "alice@example.org",
            "displayName": "Alice Example",
            "givenName": "Alice",
            "sn": "Example",
            "memberOf": ["staff", "admins"],          # multi-valued
        },
    },
    "bob": {   # awkward characters: non-ASCII, XML specials, single-element list
        "password": "bob-pass",
        "attributes": {
            "uid": "bob",
            "email": "bob@example.org",
            "displayName": "Bób O'Brien & <Co>",
            "memberOf": ["staff"],
        },
    },
    "carol": {"password": "carol-pass", "attributes": {}},   # no attributes at all
    "zhang": {   # a Chinese display name, for romanisation into given/family names
        "password": "zhang-pass",
        "attributes": {
            "uid": "zhang",
            "email": "zhang.san@example.org",
            "displayName": "张三",
            "memberOf": ["cn=students,ou=groups,dc=example,dc=org"],
        },
    },
    "ouyang": {   # a compound surname
        "password": "ouyang-pass",
        "attributes": {"uid": "ouyang", "displayName": "欧阳娜娜", "memberOf": ["students"]},
    },
    "wei": {   # non-ASCII given and family names, as a directory holds them (for the Keycloak specs)
        "password": "wei-pass",
        "attributes": {
            "uid": "wei",
            "email": "zhang.wei@example.org",
            "displayName": "张伟",
            "givenName": "伟",
            "sn": "张",
            "memberOf": ["staff"],
        },
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"cas_server": {"handlers": ["console"], "level": "DEBUG"}},
}
EOF

cat > "$DIR/casproject/peer_auth.py" <<'EOF'
"""CAS_AUTH_CLASS for the test CAS: users and attributes come from settings.CAS_PEER_USERS.
Same contract as cas_server.auth.TestAuthUser (test_password / attributs), but several users."""
from django.conf import settings
from cas_server.auth import AuthUser


class PeerUsers(AuthUser):
    def _entry(self):
        return settings.CAS_PEER_USERS.get(self.username)

    def test_password(self, password):
        entry = self._entry()
        return bool(entry) and password == entry["password"]

    def attributs(self):
        entry = self._entry()
        # return copies: cas_server may rewrite list values in place
        return {k: (list(v) if isinstance(v, list) else v)
                for k, v in (entry["attributes"] if entry else {}).items()}
EOF

cat > "$DIR/casproject/urls.py" <<'EOF'
from django.urls import include, path
urlpatterns = [
    # CAS endpoints at the root: /login /logout /validate /serviceValidate /proxyValidate
    # /proxy /p3/serviceValidate /p3/proxyValidate /samlValidate
    path("", include("cas_server.urls", namespace="cas_server")),
]
EOF

cat > "$DIR/casproject/wsgi.py" <<'EOF'
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casproject.settings")
application = get_wsgi_application()
EOF

cd "$DIR"
$PY manage.py migrate --noinput >/dev/null
$PY manage.py shell <<'EOF'
from cas_server.models import ServicePattern, ReplaceAttributName
ServicePattern.objects.all().delete()
sp = ServicePattern.objects.create(
    pos=100,
    name="loopback",
    # any http(s) service URL on 127.0.0.1 / localhost, any port, any path
    pattern=r"^https?://(127\.0\.0\.1|localhost)(:[0-9]+)?(/.*)?$",
    user_field="",           # cas:user = login name
    restrict_users=False,
    proxy=True,              # may receive proxy tickets (PT)
    proxy_callback=True,     # may be used as pgtUrl
    single_log_out=True,     # POST logoutRequest to the service URL on /logout
    single_log_out_callback="",
)
ReplaceAttributName.objects.create(name="*", replace="", service_pattern=sp)   # release all attributes
print("service patterns:", list(ServicePattern.objects.values_list("name", "pattern")))
EOF
echo "CAS project ready in $DIR (users: alice/alice-pass, bob/bob-pass, carol/carol-pass)"
