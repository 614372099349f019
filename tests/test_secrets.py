import os
import stat

import pytest

from crosspost.errors import ReauthRequired
from crosspost.secrets import SecretStore, env_name


def test_env_overrides_file_and_file_is_0600(tmp_path):
    store = SecretStore("twitter-humas", tmp_path, env={}, use_keyring=False)
    store.set("api_key", "from-file")
    assert store.get("api_key") == "from-file"
    mode = stat.S_IMODE(os.stat(store.file).st_mode)
    assert mode == 0o600
    env = {env_name("twitter-humas", "api_key"): "from-env"}
    assert env_name("twitter-humas", "api_key") == "CROSSPOST_TWITTER_HUMAS_API_KEY"
    assert SecretStore("twitter-humas", tmp_path, env=env, use_keyring=False).get("api_key") == "from-env"


def test_missing_secret_tells_what_to_do_without_values(tmp_path):
    store = SecretStore("facebook", tmp_path, env={}, use_keyring=False)
    with pytest.raises(ReauthRequired) as info:
        store.require("page_access_token")
    assert "crosspost auth facebook" in str(info.value)
    assert "CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN" in str(info.value)
