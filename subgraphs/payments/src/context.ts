import type { BaseContext } from '@heartfelt/kit';
import type { CheckoutService } from './checkout';
import type { Loaders } from './loaders';
import type { RefundService } from './refund';
import type { OrderRepository } from './repository/orders';

/** The GraphQL context of one request. */
export interface Context extends BaseContext {
  loaders: Loaders;
  orders: OrderRepository;
  checkout: CheckoutService;
  refunds: RefundService;
}
