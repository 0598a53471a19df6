"""The photo rules: every threshold of the photo check, for operators (config section [photo]).

Limits are given in the raw unit of each measure (degrees, pixels, shares of the photo), the
way the German template and ICAO state them; kiosk.photo.measures maps each raw value to the
0–100 score, with 50 at the limit configured here.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from kiosk.section import Section


class PhotoRules(Section):
    """Biometric photo check: limits for each quality measure (ISO/IEC 29794-5 names)."""

    @model_validator(mode="after")
    def _bands_in_order(self) -> PhotoRules:
        if not self.head_size_min < self.head_size_target < self.head_size_max:
            raise ValueError("head_size_target must lie between head_size_min and head_size_max")
        if not self.luminance_min < self.luminance_max:
            raise ValueError("luminance_min must be less than luminance_max")
        return self

    # -- geometry of the photo (German template, ICAO 9303) -------------------------------------
    head_size_target: float = Field(0.74, description="Face height chin to crown as a share of the photo height "
                                                      "that the crop aims at (template: 32–36 mm of 45 mm)",
                                    ge=0.6, le=0.9)
    head_size_min: float = Field(0.70, description="Smallest face height share that passes (HeadSize)",
                                 ge=0.5, le=0.9)
    head_size_max: float = Field(0.80, description="Largest face height share that passes (HeadSize)",
                                 ge=0.6, le=0.95)
    crop_margin_above: float = Field(0.08, description="Room between the crown and the photo's top edge that the "
                                                       "crop aims at, as a share of the photo height (0.08 puts the "
                                                       "eye line at about 55 % of the height from the bottom)",
                                     ge=0.0, le=0.2)
    margin_above_min: float = Field(0.02, description="Least room above the crown, as a share of the photo height "
                                                      "(MarginAboveOfTheFaceImage; below it the head is cut off or "
                                                      "the eye line is too high)", ge=-0.1, le=0.2)
    margin_below_min: float = Field(0.12, description="Least room below the chin, as a share of the photo height "
                                                      "(MarginBelowOfTheFaceImage; 0.12 keeps the eye line at "
                                                      "least about 50 % of the height above the bottom)",
                                    ge=0.0, le=0.3)
    centring_tolerance: float = Field(0.05, description="How far the eye midpoint may sit off the photo's vertical "
                                                        "centre line, as a share of the photo width (Leftward/"
                                                        "RightwardCropOfTheFaceImage)", ge=0.01, le=0.2)
    min_crop_share: float = Field(0.6, description="A camera frame's photo box is never smaller than this share of "
                                                   "the largest 35:45 box that fits the frame (a face smaller than "
                                                   "that reads as 'come closer')", ge=0.2, le=1.0)
    crown_factor: float = Field(1.0, description="Crown estimate: the crown lies this many times the eye-to-chin "
                                                 "distance above the eye line (the eyes sit at about half the "
                                                 "head height)", ge=0.7, le=1.4)
    inter_eye_min_px: int = Field(90, description="Least distance between the iris centres in the photo, in pixels "
                                                  "(InterEyeDistance)", ge=30, le=600)

    # -- pose -----------------------------------------------------------------------------------
    yaw_max_deg: float = Field(5.0, description="Largest head turn to either side, in degrees (HeadPoseYaw)",
                               ge=1.0, le=45.0)
    pitch_max_deg: float = Field(5.0, description="Largest head nod up or down, in degrees (HeadPosePitch)",
                                 ge=1.0, le=45.0)
    roll_max_deg: float = Field(8.0, description="Largest head tilt to either side, in degrees (HeadPoseRoll)",
                                ge=1.0, le=45.0)
    pitch_offset_deg: float = Field(9.5, description="What MediaPipe's mesh reads as pitch for a level head, in "
                                                     "degrees; subtracted (calibrate with the terminal's camera)",
                                    ge=-20.0, le=20.0)

    # -- expression -----------------------------------------------------------------------------
    eyes_open_min: float = Field(0.12, description="Least eye opening (lid distance over eye width) of the less "
                                                   "open eye (EyesOpen; open eyes read about 0.25–0.3, shut ones "
                                                   "near 0)", ge=0.02, le=0.4)
    mouth_open_max: float = Field(0.06, description="Largest gap between the lips over the mouth width "
                                                    "(MouthClosed; a smile showing teeth reads about 0.15)",
                                  ge=0.0, le=0.5)

    # -- light on the face ----------------------------------------------------------------------
    luminance_min: float = Field(0.30, description="Least mean brightness of the face's skin, 0 black to 1 white "
                                                   "(LuminanceMean)", ge=0.0, le=1.0)
    luminance_max: float = Field(0.80, description="Largest mean brightness of the face's skin (LuminanceMean)",
                                 ge=0.0, le=1.0)
    under_exposed_max: float = Field(0.05, description="Largest share of the face's skin that is nearly black, grey "
                                                       "level 0–25 of 255 (UnderExposurePrevention)", ge=0.0, le=1.0)
    over_exposed_max: float = Field(0.05, description="Largest share of the face's skin that is nearly white, grey "
                                                      "level 247–255 (OverExposurePrevention)", ge=0.0, le=1.0)
    dynamic_range_min_bits: float = Field(6.0, description="Least entropy of the face's grey levels in bits; a well "
                                                           "exposed face has about 7 (DynamicRange)", ge=1.0, le=8.0)
    illumination_ratio_min: float = Field(0.75, description="Least brightness of the darker half of the face over "
                                                            "the brighter half (IlluminationUniformity)",
                                          ge=0.3, le=1.0)
    skin_colour_distance_max: float = Field(5.0, description="How far the face's mean colour may lie outside the "
                                                             "range of natural skin tones, in CIELAB units "
                                                             "(NaturalColour)", ge=0.0, le=50.0)
    sharpness_min: float = Field(0.3, description="Least detail in the face at a fixed face size: variance of the "
                                                  "Laplacian over the variance of the grey levels (Sharpness)",
                                 ge=0.01, le=5.0)

    # -- background -----------------------------------------------------------------------------
    background_gradient_max: float = Field(2.0, description="Largest mean brightness gradient of the background "
                                                            "in grey levels per pixel, at 256 px photo width "
                                                            "(BackgroundUniformity)", ge=0.1, le=50.0)
    background_chroma_max: float = Field(20.0, description="Largest mean colourfulness (CIELAB chroma) of the "
                                                           "background; light blue passes, strong colours do not "
                                                           "(BackgroundColour)", ge=0.0, le=100.0)
    background_lightness_min: float = Field(50.0, description="Least mean CIELAB lightness of the background, 0 "
                                                              "black to 100 white (BackgroundLightness)",
                                            ge=0.0, le=100.0)
