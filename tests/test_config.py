from pathlib import Path

import pytest

from crosspost.config import load_config
from crosspost.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path, text):
    p = tmp_path / "channels.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_config_builds_every_channel(monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path))
    cfg = load_config(REPO / "channels.toml")
    assert cfg.channel_names() == ["website"]
    names = [c.name for c in cfg.channels(enabled_only=False)]
    assert names == ["website", "twitter", "facebook", "instagram", "youtube"]
    assert cfg.database == REPO / "crosspost.db"


def test_embedded_default_when_no_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CROSSPOST_CONFIG", raising=False)
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    cfg = load_config()
    assert cfg.embedded
    assert [c.platform for c in cfg.channels()] == ["website"]
    assert cfg.database.parent == tmp_path / "state"


def test_unknown_key_in_a_channel_is_an_error(tmp_path):
    p = write(tmp_path, '[channels.website]\ntype = "website"\nsite_dri = "x"\n')
    with pytest.raises(ConfigError, match="site_dri"):
        load_config(p).channels()


def test_wrong_type_and_unknown_channel_type(tmp_path):
    p = write(tmp_path, '[channels.website]\nenabled = "yes"\n')
    with pytest.raises(ConfigError, match="enabled must be bool"):
        load_config(p).channels()
    p = write(tmp_path, '[channels.tiktok]\n')
    with pytest.raises(ConfigError, match="unknown type 'tiktok'"):
        load_config(p).channels()


def test_secrets_are_refused_in_the_file(tmp_path):
    p = write(tmp_path, '[channels.twitter]\naccess_token = "abc"\n')
    with pytest.raises(ConfigError, match="looks like a secret"):
        load_config(p)


def test_several_accounts_of_one_platform(tmp_path):
    p = write(tmp_path, '[channels.web-a]\ntype = "website"\nsite_dir = "a"\n'
                        '[channels.web-b]\ntype = "website"\nsite_dir = "b"\n')
    chans = load_config(p).channels()
    assert [(c.name, c.platform) for c in chans] == [("web-a", "website"), ("web-b", "website")]


def test_bad_toml_names_the_file(tmp_path):
    p = write(tmp_path, "[channels.website\n")
    with pytest.raises(ConfigError, match="channels.toml"):
        load_config(p)


def test_channel_names_as_people_type_them(tmp_path):
    from crosspost.config import load_config
    from crosspost.errors import ConfigError

    path = tmp_path / "channels.toml"
    path.write_text('[channels.website]\ntype = "website"\n[channels.x_kemensos]\ntype = "twitter"\n'
                    '[channels.facebook]\ntype = "facebook"\n', encoding="utf-8")
    cfg = load_config(path)
    assert cfg.channel_name("x") == "x_kemensos"  # the platform's short name, for the one X channel
    assert cfg.channel_name("Twitter") == "x_kemensos"
    assert cfg.channel_name("FACEBOOK") == "facebook"
    assert [c.name for c in cfg.channels(["x,facebook", "website", "fb"])] == ["x_kemensos", "facebook",
                                                                                "website"]
    with pytest.raises(ConfigError, match="did you mean 'facebook'"):
        cfg.channel_name("facebok")
    with pytest.raises(ConfigError, match="no channel named 'tiktok'") as err:
        cfg.channel_name("tiktok")
    assert "did you mean" not in str(err.value)
