from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    @property
    def num_lines(self):
        """Counted from the lines, which totals and offers load anyway: Oscar's COUNT query
        ran twice more on every add to basket."""
        return len(self.all_lines())


from oscar.apps.basket.models import *  # noqa: E402, F403
