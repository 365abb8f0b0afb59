"""Helpers the selected supertokens-python test files import from `tests.utils`.

Written for this project's conformance run: the core is one `embedded-core` server, reached at
SUPERTOKENS_CORE_HOST:SUPERTOKENS_CORE_PORT, and every test works in an app of its own that
`get_new_core_app_url` creates through the multi-app API.
"""

import functools
import json
import os
import uuid
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional
from unittest.mock import AsyncMock, MagicMock
from urllib.parse import unquote

import requests
from pytest import mark

from supertokens_python import InputAppInfo, Supertokens, SupertokensConfig
from supertokens_python.process_state import ProcessState

__all__ = [
    "AsyncMock",
    "MagicMock",
    "TEST_ACCESS_TOKEN_MAX_AGE_CONFIG_KEY",
    "TEST_ACCESS_TOKEN_MAX_AGE_VALUE",
    "TEST_DRIVER_CONFIG_ACCESS_TOKEN_PATH",
    "TEST_DRIVER_CONFIG_COOKIE_DOMAIN",
    "TEST_DRIVER_CONFIG_COOKIE_SAME_SITE",
    "TEST_DRIVER_CONFIG_REFRESH_TOKEN_PATH",
    "TEST_REFRESH_TOKEN_MAX_AGE_CONFIG_KEY",
    "TEST_REFRESH_TOKEN_MAX_AGE_VALUE",
    "assert_info_clears_tokens",
    "create_users",
    "extract_all_cookies",
    "extract_info",
    "get_new_core_app_url",
    "get_st_init_args",
    "min_api_version",
    "reset",
    "sign_in_up_request",
    "sign_in_up_request_code_resend",
    "sign_in_up_request_phone",
]

# Core config keys and values the tests pass to `get_new_core_app_url(core_config=…)` and then
# expect back in cookie lifetimes: access tokens in seconds, refresh tokens in minutes.
TEST_ACCESS_TOKEN_MAX_AGE_CONFIG_KEY = "access_token_validity"
TEST_ACCESS_TOKEN_MAX_AGE_VALUE = "7200"
TEST_REFRESH_TOKEN_MAX_AGE_CONFIG_KEY = "refresh_token_validity"
TEST_REFRESH_TOKEN_MAX_AGE_VALUE = "720"

# What the FastAPI/Flask/Django cookie tests configure in `session.init` and then read back
# from the Set-Cookie headers.
TEST_DRIVER_CONFIG_COOKIE_DOMAIN = "supertokens.io"
TEST_DRIVER_CONFIG_COOKIE_SAME_SITE = "lax"
TEST_DRIVER_CONFIG_ACCESS_TOKEN_PATH = "/"
TEST_DRIVER_CONFIG_REFRESH_TOKEN_PATH = "/auth/session/refresh"


def _core_url() -> str:
    host = os.environ.get("SUPERTOKENS_CORE_HOST", "localhost")
    port = os.environ.get("SUPERTOKENS_CORE_PORT", "3567")
    return f"http://{host}:{port}"


def get_new_core_app_url(
    *,
    host: Optional[str] = None,
    port: Optional[str] = None,
    core_config: Optional[Dict[str, Any]] = None,
) -> str:
    """Creates an app with a random id on the core and answers the connection URI to reach it."""
    base = _core_url()
    if host is not None or port is not None:
        base = "http://{}:{}".format(
            host or os.environ.get("SUPERTOKENS_CORE_HOST", "localhost"),
            port or os.environ.get("SUPERTOKENS_CORE_PORT", "3567"),
        )
    app_id = str(uuid.uuid4())
    answer = requests.put(
        f"{base}/recipe/multitenancy/app/v2",
        json={"appId": app_id, "coreConfig": dict(core_config or {})},
        timeout=10,
    )
    if answer.status_code != 200:
        raise AssertionError(
            f"the core refused to create app {app_id}: {answer.status_code} {answer.text!r}"
        )
    body = answer.json()
    if body.get("status") != "OK" or body.get("createdNew") is not True:
        raise AssertionError(f"the core did not create app {app_id}: {body!r}")
    return f"{base}/appid-{app_id}"


def _recipe_classes() -> List[Any]:
    """Every recipe of the SDK that keeps a process-wide instance once `init` ran."""
    from supertokens_python.recipe.accountlinking.recipe import AccountLinkingRecipe
    from supertokens_python.recipe.dashboard.recipe import DashboardRecipe
    from supertokens_python.recipe.emailpassword.recipe import EmailPasswordRecipe
    from supertokens_python.recipe.emailverification.recipe import (
        EmailVerificationRecipe,
    )
    from supertokens_python.recipe.jwt.recipe import JWTRecipe
    from supertokens_python.recipe.multifactorauth.recipe import MultiFactorAuthRecipe
    from supertokens_python.recipe.multitenancy.recipe import MultitenancyRecipe
    from supertokens_python.recipe.oauth2provider.recipe import OAuth2ProviderRecipe
    from supertokens_python.recipe.openid.recipe import OpenIdRecipe
    from supertokens_python.recipe.passwordless.recipe import PasswordlessRecipe
    from supertokens_python.recipe.saml.recipe import SAMLRecipe
    from supertokens_python.recipe.session.recipe import SessionRecipe
    from supertokens_python.recipe.thirdparty.recipe import ThirdPartyRecipe
    from supertokens_python.recipe.totp.recipe import TOTPRecipe
    from supertokens_python.recipe.usermetadata.recipe import UserMetadataRecipe
    from supertokens_python.recipe.userroles.recipe import UserRolesRecipe
    from supertokens_python.recipe.webauthn.recipe import WebauthnRecipe

    return [
        AccountLinkingRecipe,
        DashboardRecipe,
        EmailPasswordRecipe,
        EmailVerificationRecipe,
        JWTRecipe,
        MultiFactorAuthRecipe,
        MultitenancyRecipe,
        OAuth2ProviderRecipe,
        OpenIdRecipe,
        PasswordlessRecipe,
        SAMLRecipe,
        SessionRecipe,
        ThirdPartyRecipe,
        TOTPRecipe,
        UserMetadataRecipe,
        UserRolesRecipe,
        WebauthnRecipe,
    ]


def reset() -> None:
    """Forgets what `init` set up, so the next test can call `init` with its own config."""
    ProcessState.get_instance().reset()
    Supertokens.reset()
    for recipe in _recipe_classes():
        recipe.reset()


def extract_all_cookies(response: Any) -> Dict[str, Any]:
    """The cookies a response sets, by name: `value`, `name` and each attribute.

    `secure` and `httponly` are None when present (flags without a value), as the tests expect.
    """
    header = response.headers.get("set-cookie")
    if header is None:
        return {}
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(header)
    cookies: Dict[str, Any] = {}
    for name, morsel in parsed.items():
        cookie: Dict[str, Any] = {"name": name, "value": morsel.value}
        for attribute, value in morsel.items():
            if attribute in ("secure", "httponly") and value == "":
                cookie[attribute] = None
            elif attribute == "samesite":
                # Joined Set-Cookie headers leave a comma after the last attribute.
                cookie[attribute] = value.rstrip(",")
            else:
                cookie[attribute] = value
        cookies[name] = cookie
    return cookies


def extract_info(response: Any) -> Dict[str, Any]:
    """Cookies, session headers, status and JSON body of a response, in one dictionary."""
    cookies = extract_all_cookies(response)
    access_cookie = cookies.get("sAccessToken", {}).get("value")
    refresh_cookie = cookies.get("sRefreshToken", {}).get("value")
    access_header = response.headers.get("st-access-token")
    refresh_header = response.headers.get("st-refresh-token")
    info: Dict[str, Any] = dict(cookies)
    info.update(
        {
            "status_code": response.status_code,
            "body": response.json(),
            "accessToken": unquote(access_cookie) if access_cookie is not None else None,
            "refreshToken": unquote(refresh_cookie) if refresh_cookie is not None else None,
            "accessTokenFromHeader": access_header,
            "refreshTokenFromHeader": refresh_header,
            "accessTokenFromAny": access_cookie if access_cookie is not None else access_header,
            "refreshTokenFromAny": refresh_cookie
            if refresh_cookie is not None
            else refresh_header,
            "frontToken": response.headers.get("front-token"),
            "antiCsrf": response.headers.get("anti-csrf"),
        }
    )
    return info


_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"


def assert_info_clears_tokens(info: Dict[str, Any], token_transfer_method: str) -> None:
    """Asserts that a response (as `extract_info` reads it) removes the session's tokens."""
    if token_transfer_method == "cookie":
        for cookie, token in (("sAccessToken", "accessToken"), ("sRefreshToken", "refreshToken")):
            assert info[token] == "", f"{cookie} is not emptied"
            assert info[cookie]["expires"] == _EPOCH, f"{cookie} does not expire"
            assert info[cookie]["domain"] == "", f"{cookie} has a domain"
    elif token_transfer_method == "header":
        assert info["accessTokenFromHeader"] == ""
        assert info["refreshTokenFromHeader"] == ""
    else:
        raise ValueError(f"token transfer method {token_transfer_method!r}")
    assert info["frontToken"] == "remove"
    assert info["antiCsrf"] is None


@contextmanager
def _sdk_env(production: bool) -> Iterator[None]:
    """With `production`, the SDK really delivers e-mails and SMS during the request."""
    if not production:
        yield
        return
    before = os.environ.get("SUPERTOKENS_ENV")
    os.environ["SUPERTOKENS_ENV"] = "production"
    try:
        yield
    finally:
        if before is None:
            del os.environ["SUPERTOKENS_ENV"]
        else:
            os.environ["SUPERTOKENS_ENV"] = before


def _post_json(client: Any, path: str, body: Dict[str, Any], use_server: bool) -> Any:
    with _sdk_env(use_server):
        return client.post(
            url=path, headers={"Content-Type": "application/json"}, json=body
        )


def sign_in_up_request(app: Any, email: str, use_server: bool = False) -> Any:
    """Asks the API for a passwordless code sent to an e-mail address."""
    return _post_json(app, "/auth/signinup/code", {"email": email}, use_server)


def sign_in_up_request_phone(app: Any, phone: str, use_server: bool = False) -> Any:
    """Asks the API for a passwordless code sent to a phone number."""
    return _post_json(app, "/auth/signinup/code", {"phoneNumber": phone}, use_server)


def sign_in_up_request_code_resend(
    app: Any, device_id: str, preauth_sesion_id: str, use_server: bool = False
) -> Any:
    """Asks the API to send a device's code again."""
    return _post_json(
        app,
        "/auth/signinup/code/resend",
        {"deviceId": device_id, "preAuthSessionId": preauth_sesion_id},
        use_server,
    )


def get_st_init_args(*, url: str, recipe_list: List[Any]) -> Dict[str, Any]:
    """Keyword arguments for `init` with the given core URL and recipes (FastAPI, ASGI)."""
    return {
        "supertokens_config": SupertokensConfig(url),
        "app_info": InputAppInfo(
            app_name="ST",
            api_domain="http://api.supertokens.io",
            website_domain="http://supertokens.io",
            api_base_path="/auth",
        ),
        "framework": "fastapi",
        "mode": "asgi",
        "recipe_list": recipe_list,
    }


@functools.lru_cache(maxsize=None)
def _cdi_version() -> str:
    """The newest CDI version both the core (GET /apiversion) and this SDK speak."""
    from supertokens_python.constants import SUPPORTED_CDI_VERSIONS
    from supertokens_python.utils import find_max_version

    answer = requests.get(f"{_core_url()}/apiversion", timeout=10)
    answer.raise_for_status()
    common = find_max_version(answer.json()["versions"], SUPPORTED_CDI_VERSIONS)
    if common is None:
        raise AssertionError(f"the core speaks no CDI version this SDK knows: {answer.text}")
    return common


def min_api_version(min_version: str) -> Any:
    """Decorator: runs the (async) test only when the core's CDI is at least `min_version`."""
    from supertokens_python.utils import is_version_gte

    def decorate(test: Any) -> Any:
        if is_version_gte(_cdi_version(), min_version):
            return mark.asyncio(test)
        return mark.skip(f"needs CDI {min_version} or later")(test)

    return decorate


async def create_users(
    emailpassword: bool = False, passwordless: bool = False, thirdparty: bool = False
) -> None:
    """Signs up the users of users.json of the chosen recipes in the `public` tenant."""
    users = json.loads((Path(__file__).parent / "users.json").read_text())["users"]
    for user in users:
        recipe = user["recipe"]
        if recipe == "emailpassword" and emailpassword:
            from supertokens_python.recipe.emailpassword.asyncio import sign_up

            await sign_up("public", user["email"], user["password"])
        elif recipe == "passwordless" and passwordless:
            from supertokens_python.recipe.passwordless.asyncio import (
                consume_code,
                create_code,
            )

            code = await create_code(
                "public", email=user.get("email"), phone_number=user.get("phone")
            )
            await consume_code(
                "public",
                code.pre_auth_session_id,
                code.user_input_code,
                code.device_id,
            )
        elif recipe == "thirdparty" and thirdparty:
            from supertokens_python.recipe.thirdparty.asyncio import (
                manually_create_or_update_user,
            )

            await manually_create_or_update_user(
                "public", user["provider"], user["userId"], user["email"], True, None
            )
