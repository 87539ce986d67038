// Kesu workspace: small progressive enhancements (each area adds its own section below).
