"""What other welfare code may ask of dibao."""

from services.welfare.dibao.cases import persons_on_dibao

__all__ = ["persons_on_dibao"]
