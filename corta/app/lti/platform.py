"""A course platform registered with corta: where its login, token and keys are, its deployments, and the tutor's
defaults there."""

from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator

from corta.app.lti.course import TutorSettings
from corta.app.store import Store


class Platform(BaseModel):
    """One registration (an issuer and the client id it gave corta), as `corta lti add-platform` saves it.

    `frame_origins` are the origins allowed to show corta in a frame (default: those of the issuer and the login URL;
    Canvas, for one, frames tools from each school's own domain, which must then be listed).
    """

    issuer: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: list[str] = Field(min_length=1)
    defaults: TutorSettings = TutorSettings()
    frame_origins: list[str] = []

    @field_validator("auth_login_url", "auth_token_url", "jwks_url")
    @classmethod
    def _is_web_address(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    @field_validator("frame_origins")
    @classmethod
    def _are_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if _origin(origin) != origin.rstrip("/"):
                raise ValueError(f"{origin!r} is not an origin such as https://lms.example.edu")
        return [origin.rstrip("/") for origin in origins]

    @model_validator(mode="after")
    def _default_frame_origins(self) -> Self:
        if not self.frame_origins:
            found = (_origin(self.issuer), _origin(self.auth_login_url))
            self.frame_origins = list(dict.fromkeys(origin for origin in found if origin))
        return self

    def save(self, store: Store) -> None:
        """Register (or replace) this platform in the store."""
        store.save_platform(self.issuer, self.client_id, self.model_dump(mode="json"))

    @classmethod
    def load(cls, store: Store, issuer: str, client_id: str | None = None) -> "Platform | None":
        """The registration of `issuer` (and `client_id`; without it, the issuer's only one), if any."""
        config = store.platform(issuer, client_id)
        return cls.model_validate(config) if config is not None else None

    @classmethod
    def all(cls, store: Store) -> list["Platform"]:
        """Every registered platform."""
        return [cls.model_validate(config) for config in store.platforms()]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"
